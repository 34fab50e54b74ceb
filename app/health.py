"""/healthz (the process serves) and /readyz (and its database answers)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.services import Services

READY_TIMEOUT_SECONDS = 2.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), services.db.reader() as conn:
            await conn.execute(text("SELECT 1"))
    except (TimeoutError, SQLAlchemyError, OSError):
        return JSONResponse(
            {"status": "unavailable", "database": "down"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ok", "database": "up"})
