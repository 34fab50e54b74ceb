"""Sending a JSON response from plain ASGI middleware, where no Starlette Response exists."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import Send


async def send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = orjson.dumps(payload)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
