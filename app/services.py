"""The per-process singletons a request needs, created once in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import TokenVerifier
from app.context import Database
from app.data.plane import DataPlane
from app.domain.users import UserDirectory
from app.rate_limit import RateLimiter
from app.settings import Settings
from app.tenancy import TenantDirectory


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    db: Database
    verifier: TokenVerifier
    tenants: TenantDirectory
    data: DataPlane
    users: UserDirectory
    rate_limiter: RateLimiter
