"""From an HTTP request to a RequestContext: token, tenant, request id. Every authenticated
route (GraphQL and REST alike) goes through `authenticate`, once, at its entry, which also
makes the caller a user the tenant knows."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from app.auth import AuthenticationError
from app.context import RequestContext
from app.observability.request_info import current_request_id, note_caller
from app.services import Services
from app.tenancy import TenantError, tenant_name_for
from app.unavailable import STATUS, recognise


class Rejection(Exception):
    """The request cannot go further: 401 (credentials), 400 or 403 (tenant), 429 (rate),
    503 (the database is unavailable)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self._headers = headers or {}

    @property
    def headers(self) -> dict[str, str]:
        if self.status == 401:
            return {"WWW-Authenticate": 'Bearer error="invalid_token"', **self._headers}
        return dict(self._headers)


async def authenticate(request: HTTPConnection, services: Services) -> RequestContext:
    try:
        principal = await services.verifier.verify(request.headers.get("authorization"))
    except AuthenticationError as exc:
        raise Rejection(401, "UNAUTHENTICATED", str(exc)) from exc
    header = services.settings.tenant_header
    try:
        tenant_name = tenant_name_for(principal, request.headers.get(header), header)
    except TenantError as exc:
        code = "TENANT_REQUIRED" if exc.status == 400 else "TENANT_FORBIDDEN"
        raise Rejection(exc.status, code, str(exc)) from exc
    note_caller(tenant_name, principal.user_id)
    # Before any database work: a refused request costs the database nothing.
    limit = await services.rate_limiter.admit_user(request, tenant_name, principal.user_id)
    if limit is not None and not limit.allowed:
        raise Rejection(429, "RATE_LIMITED", limit.refusal)
    try:
        tenant_id = await services.tenants.id_for(tenant_name)
        await services.users.remember(tenant_id, principal.user_id)
    except Exception as exc:
        # The first database work of a request: an outage is refused here, on every route.
        unavailable = recognise(exc)
        if unavailable is None:
            raise
        raise Rejection(STATUS, unavailable.code, unavailable.message, unavailable.headers) from exc
    return RequestContext(
        principal=principal,
        tenant_name=tenant_name,
        tenant_id=tenant_id,
        db=services.db.for_tenant(tenant_id),
        settings=services.settings,
        request_id=current_request_id(),
        data=services.data,
    )
