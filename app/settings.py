"""Settings, read from the environment (and a `.env` file when present)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    # `serve` in development creates demo data in tenant "demo" once.
    seed_demo: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)

    # A plain postgresql:// URL. Empty: an embedded PostgreSQL in `data_dir`.
    database_url: str = ""
    data_dir: Path = Path(".data")
    # Apply pending migrations when the service starts (safe with several processes).
    migrate_on_start: bool = True
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)

    # Authentication (RFC 9068 access tokens).
    auth_jwt_secret: str = ""
    auth_jwt_public_key: str = ""
    auth_jwks_url: str = ""
    auth_issuer: str = ""
    auth_audience: str = ""
    # RFC 9068 asks resource servers to accept only `typ: at+jwt`; many identity
    # providers still send plain JWTs, so this is a switch.
    auth_require_at_jwt_type: bool = False
    auth_leeway_seconds: int = Field(default=30, ge=0)
    # Tokens verified recently, kept until they expire so a client's next request skips the
    # signature check (0: verify every request).
    auth_verified_token_cache_size: int = Field(default=10_000, ge=0)

    tenant_header: str = "X-Clarus-Subdomain"

    # Limits.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    graphql_max_depth: int = Field(default=12, ge=2)
    graphql_max_tokens: int = Field(default=2_000, ge=100)
    graphql_max_aliases: int = Field(default=30, ge=1)
    graphql_introspection: bool = True
    page_size_default: int = Field(default=20, ge=1)
    page_size_max: int = Field(default=100, ge=1)
    grid_columns: int = Field(default=12, ge=1, le=48)
    max_placements: int = Field(default=1_000, ge=1)
    max_widget_config_bytes: int = Field(default=65_536, ge=256)
    tenant_cache_size: int = Field(default=10_000, ge=1)
    # (tenant, user) pairs a process remembers having recorded as known to the tenant.
    user_cache_size: int = Field(default=100_000, ge=1)

    # Tile data: each tenant's data is a schema of its own, read by a login role of its own.
    # Empty: the schemas live in the service's database. The URL's user needs CREATEROLE.
    data_database_url: str = ""
    # Derives each tenant role's password; empty: the HS256 secret (generated in development).
    tile_role_secret: str = ""
    tile_statement_timeout_ms: int = Field(default=5_000, ge=50)
    tile_row_limit: int = Field(default=5_000, ge=1)
    tile_sql_max_chars: int = Field(default=20_000, ge=100)
    # Cards of one render that query at once, and connections per tenant role pool.
    tile_concurrency: int = Field(default=4, ge=1, le=64)
    tile_pool_size: int = Field(default=4, ge=1, le=64)
    # Tenant pools a process keeps open (least recently used are closed first).
    tile_pools_max: int = Field(default=32, ge=1)
    # Rendered tile results: in process, or shared through Redis when REDIS_URL is set.
    tile_cache_max_entries: int = Field(default=10_000, ge=0)
    tile_cache_max_ttl_seconds: int = Field(default=86_400, ge=0)
    redis_url: str = ""
    redis_key_prefix: str = "dashboards"

    # Rate limiting (docs/rate-limiting.md): token buckets, in process or, when REDIS_URL is
    # set, shared through Redis. A bucket holds `burst` requests and refills at `per_second`.
    rate_limit_enabled: bool = True
    # Each user (verified token subject) of each tenant, GraphQL and REST together.
    rate_limit_user_per_second: float = Field(default=10.0, gt=0)
    rate_limit_user_burst: int = Field(default=100, ge=1)
    # Public render links: each slug, and each client address across all slugs.
    rate_limit_public_link_per_second: float = Field(default=5.0, gt=0)
    rate_limit_public_link_burst: int = Field(default=50, ge=1)
    rate_limit_public_address_per_second: float = Field(default=1.0, gt=0)
    rate_limit_public_address_burst: int = Field(default=20, ge=1)
    # Buckets one process keeps without Redis (least recently used dropped first).
    rate_limit_max_buckets: int = Field(default=100_000, ge=1)
    # How long a request waits for Redis before it passes unlimited (fail open).
    rate_limit_redis_timeout_seconds: float = Field(default=0.5, gt=0)
    # Comma-separated addresses or networks of proxies whose X-Forwarded-For is believed.
    # Empty: the peer address is the client's.
    rate_limit_trusted_proxies: str = ""

    # Allocations between collections of the youngest generation (app/gc_tuning.py);
    # 0 keeps Python's own (700).
    gc_first_threshold: int = Field(default=5_000, ge=0)

    # Faults (docs/faults.md): a database that does not accept a connection within this many
    # seconds fails the request with 503 instead of holding it.
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    # On SIGTERM `serve` stops accepting connections and waits this long for requests in
    # flight to finish before it closes them.
    shutdown_timeout_seconds: int = Field(default=30, ge=0)

    # Version history (docs/version-history.md): a revision is kept while it is among its
    # dashboard's last REVISION_KEEP_LAST or younger than REVISION_KEEP_DAYS (the newest
    # always). The app prunes every REVISION_PRUNE_INTERVAL_SECONDS (0: never; the first
    # prune one interval after start), REVISION_PRUNE_BATCH rows per transaction.
    revision_keep_last: int = Field(default=50, ge=1)
    revision_keep_days: int = Field(default=30, ge=0)
    revision_prune_interval_seconds: float = Field(default=3600.0, ge=0)
    revision_prune_batch: int = Field(default=500, ge=1, le=10_000)
    # Revision snapshots (whole dashboards) one GraphQL request may read.
    revision_snapshots_per_request: int = Field(default=100, ge=1)

    # Export and import (docs/export-import.md): the largest document POST /api/import and the
    # CLI read (every other route keeps MAX_BODY_BYTES), and the most objects (collections,
    # datasets, widgets, dashboards, pages, cards, grants) one document may hold.
    import_max_bytes: int = Field(default=16_777_216, ge=1024)
    import_max_objects: int = Field(default=50_000, ge=1)

    @field_validator("rate_limit_trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                message = f"rate_limit_trusted_proxies: {part!r} is not an address or network"
                raise ValueError(message) from None
        return value

    # GraphQL cost limit and persisted operations (docs/graphql-limits.md).
    # Each field costs 1; a list multiplies its selections by its page size (first/last).
    graphql_max_cost: int = Field(default=200_000, ge=1)
    # Cards, pages and grants kept as GraphQL objects per dashboard version, shared by a
    # process's requests (0: none).
    graphql_version_cache_items: int = Field(default=20_000, ge=0)
    # Items a list without first/last (a dashboard's cards, pages, shares) is assumed to hold.
    graphql_cost_list_size: int = Field(default=20, ge=1)
    # Report each operation's estimated cost and the limit in the response's `extensions`.
    graphql_cost_in_response: bool = False
    # The manifest `dashboards-api persist-operations` writes; a missing file is an empty one.
    graphql_persisted_operations_path: Path = Path("persisted-operations.json")
    # Run only the manifest's documents, refusing any `query` text (recommended in production).
    graphql_persisted_only: bool = False

    # Observability (docs/observability.md).
    # Log lines as JSON objects or text; auto: JSON in production, text in development.
    log_format: Literal["auto", "json", "text"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # When set, GET /metrics needs `Authorization: Bearer <metrics_token>`.
    metrics_token: str = ""
    # GraphQL operation names one process labels metrics with; later new ones count as "other".
    metrics_max_operation_names: int = Field(default=200, ge=0)
    # OpenTelemetry traces (the `tracing` extra), sent where OTEL_EXPORTER_OTLP_* say.
    otel_enabled: bool = False
    otel_service_name: str = "dashboards-api"

    # Live updates: GraphQL subscriptions over WebSocket (docs/live-updates.md).
    # Open WebSocket connections one process serves; the next one is closed with 1013.
    live_max_connections: int = Field(default=1_000, ge=0)
    live_max_subscriptions_per_connection: int = Field(default=20, ge=1)
    # A connection that has not sent connection_init by then is closed with 4408.
    live_connection_init_timeout_seconds: float = Field(default=10.0, gt=0)
    # Changes a subscriber may fall behind by before it is ended with SLOW_CONSUMER.
    live_subscriber_queue_size: int = Field(default=100, ge=1)
    # Notices of watched dashboards waiting to be loaded; past it, every subscriber resyncs.
    live_notice_backlog: int = Field(default=10_000, ge=1)
    # The LISTEN connection: reconnect backoff (doubling up to the maximum) and how often a
    # quiet connection is checked.
    live_listener_backoff_initial_seconds: float = Field(default=0.5, gt=0)
    live_listener_backoff_max_seconds: float = Field(default=30.0, gt=0)
    live_listener_health_check_seconds: float = Field(default=15.0, gt=0)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("tenant_header")
    @classmethod
    def _strip_header_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("tenant_header must not be empty")
        return value.strip()

    @property
    def uses_embedded_database(self) -> bool:
        return not self.database_url

    @property
    def jwt_secret_file(self) -> Path:
        return self.data_dir / "jwt-secret"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
