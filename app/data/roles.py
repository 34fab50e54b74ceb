"""Names and credentials of a tenant's data schema and database role. Roles belong to the
whole PostgreSQL cluster, not to one database, so their names carry a prefix of this
installation (derived from the database's name unless TILE_ROLE_PREFIX is set)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy.engine import make_url


@dataclass(frozen=True, slots=True)
class TenantDataRole:
    tenant_id: int
    schema: str
    role: str
    password: str


def role_prefix(data_url: str) -> str:
    """`dsb_` and 8 hex digits of the database name: short, valid, one per installation."""
    database = make_url(data_url).database or ""
    return "dsb_" + hashlib.sha256(database.encode()).hexdigest()[:8]


def tenant_data_role(tenant_id: int, *, prefix: str, secret: str) -> TenantDataRole:
    role = f"{prefix}_t{tenant_id}"
    # Derived, not stored: every process of the installation computes the same password.
    password = hmac.new(secret.encode(), role.encode(), hashlib.sha256).hexdigest()
    return TenantDataRole(tenant_id, f"tenant_data_{tenant_id}", role, password)


def with_login(data_url: str, role: TenantDataRole) -> str:
    """The data database's URL, logging in as the tenant's role (a plain postgresql:// URL)."""
    url = make_url(data_url.replace("postgres://", "postgresql://", 1))
    url = url.set(drivername="postgresql", username=role.role, password=role.password)
    return url.render_as_string(hide_password=False)


def plain_url(data_url: str) -> str:
    """A URL asyncpg accepts (no SQLAlchemy driver suffix)."""
    url = make_url(data_url.replace("postgres://", "postgresql://", 1))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
