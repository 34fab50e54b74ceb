"""The data plane a request renders with: the sandbox that runs tile queries and the cache of
their results. One per process, created in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import jwt_secret
from app.data.cache import TileCache
from app.data.sandbox import Sandbox, SandboxLimits
from app.data.telemetry import NO_TELEMETRY, TileTelemetry
from app.data.tile_caches import create_tile_cache
from app.settings import Settings


@dataclass(frozen=True, slots=True)
class DataPlane:
    sandbox: Sandbox
    cache: TileCache

    @classmethod
    def create(
        cls, database_url: str, settings: Settings, telemetry: TileTelemetry = NO_TELEMETRY
    ) -> DataPlane:
        """Tenant data in DATA_DATABASE_URL, or else in the service's own database;
        `telemetry` hears of every cache lookup and tile query."""
        limits = SandboxLimits(
            statement_timeout_ms=settings.tile_statement_timeout_ms,
            row_limit=settings.tile_row_limit,
            pool_size=settings.tile_pool_size,
            pools_max=settings.tile_pools_max,
        )
        secret = _role_secret(settings)
        sandbox = Sandbox(
            settings.data_database_url or database_url, limits, secret=secret, telemetry=telemetry
        )
        return cls(sandbox, create_tile_cache(settings, telemetry))

    async def close(self) -> None:
        await self.sandbox.close()
        await self.cache.close()


def _role_secret(settings: Settings) -> str:
    if settings.tile_role_secret or settings.auth_jwt_secret:
        return settings.tile_role_secret or settings.auth_jwt_secret
    if settings.environment == "production":
        raise RuntimeError("set TILE_ROLE_SECRET (it derives the tenant data roles' passwords)")
    return jwt_secret(settings)  # generated once in development
