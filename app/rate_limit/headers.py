"""The rate-limit fields of draft-ietf-httpapi-ratelimit-headers-06 (RateLimit-Limit,
-Remaining, -Reset, -Policy) and, on a refusal, Retry-After. The limiter records its decision
in the request's scope wherever it runs (authentication, the public render route); this
middleware writes the fields onto whatever response the route then sends, success or error.
Routes that no limiter ran for (health checks, metrics, documents) get none."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.rate_limit.bucket import Decision

_SCOPE_KEY = "dashboards.rate_limit"


class _Slot:
    __slots__ = ("decision",)

    def __init__(self) -> None:
        self.decision: Decision | None = None


def record_decision(scope: MutableMapping[str, Any], decision: Decision) -> None:
    slot = scope.get(_SCOPE_KEY)
    if isinstance(slot, _Slot):
        slot.decision = decision


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    headers = {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_seconds),
        "RateLimit-Policy": f"{decision.limit};w={decision.window_seconds}",
    }
    if not decision.allowed:
        headers["Retry-After"] = str(decision.retry_after_seconds)
    return headers


class RateLimitHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        slot = _Slot()
        # The slot object, not the decision, goes into the scope: routing may copy the scope,
        # but every copy holds the same slot.
        scope[_SCOPE_KEY] = slot

        async def send_with_fields(message: Message) -> None:
            if message["type"] == "http.response.start" and slot.decision is not None:
                headers = MutableHeaders(scope=message)
                for name, value in rate_limit_headers(slot.decision).items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_fields)
