"""Table models. Every table carries `tenant_id`, and every key starts with it (DESIGN rule 2),
so rows of different tenants can never reference each other and the schema can later be
distributed by tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(63), nullable=False, unique=True)
    created_at: Mapped[datetime] = _created_at()


class Dashboard(Base):
    __tablename__ = "dashboards"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        ForeignKeyConstraint(
            ["tenant_id", "collection_id"],
            ["collections.tenant_id", "collections.id"],
            ondelete="RESTRICT",
            name="fk_dashboards_collection",
        ),
        Index("ix_dashboards_collection", "tenant_id", "collection_id"),
        CheckConstraint("jsonb_typeof(parameters) = 'object'", name="parameters_is_object"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("version > 0", name="version_positive"),
        # At most one default dashboard per tenant, guaranteed by the database.
        Index(
            "uq_dashboards_one_default_per_tenant",
            "tenant_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
        CheckConstraint("visibility IN ('private', 'team', 'public')", name="visibility_known"),
        CheckConstraint(
            "refresh_interval IS NULL OR refresh_interval BETWEEN 0 AND 86400",
            name="refresh_interval_range",
        ),
        Index("ix_dashboards_tags", "tags", postgresql_using="gin"),
    )

    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    description: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(nullable=False, server_default=text("true"))
    is_default: Mapped[bool] = mapped_column(nullable=False, server_default=text("false"))
    role_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), nullable=False, server_default=text("'{}'")
    )
    owner_id: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))
    collection_id: Mapped[int | None] = mapped_column(BigInteger)
    # Parameter definitions by name, e.g. {"region": {"type": "string", "default": "EU"}}.
    parameters: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    # Seed 003: who sees it besides its owner, admins and grants. `private`: nobody else;
    # `team`: the tenant's members (narrowed by role_ids); `public`: the same, and it may
    # have a public link.
    visibility: Mapped[str] = mapped_column(
        String(10), nullable=False, server_default=text("'team'")
    )
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), nullable=False, server_default=text("'{}'")
    )
    # Seed 004: a free-form kind ("executive", "sales") and how often clients refresh, in s.
    type: Mapped[str | None] = mapped_column(String(50))
    refresh_interval: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _created_at()


class Collection(Base):
    """A folder of dashboards; collections nest through `parent_id`."""

    __tablename__ = "collections"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["collections.tenant_id", "collections.id"],
            ondelete="RESTRICT",
            name="fk_collections_parent",
        ),
        UniqueConstraint(
            "tenant_id",
            "parent_id",
            "name",
            name="uq_collections_sibling_name",
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("parent_id <> id", name="not_own_parent"),
    )

    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str | None] = mapped_column(String(255))
    parent_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _created_at()


class DashboardPage(Base):
    """A tab of a dashboard. Positions are 1, 2, … without gaps; the unique constraint is
    deferred so that a reorder can shift them within one transaction."""

    __tablename__ = "dashboard_pages"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_pages_dashboard",
        ),
        UniqueConstraint(
            "tenant_id",
            "dashboard_id",
            "position",
            name="uq_pages_dashboard_position",
            deferrable=True,
            initially="DEFERRED",
        ),
        CheckConstraint("position > 0", name="position_positive"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    tenant_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)


class ShareGrant(Base):
    """Access to one dashboard for a user or a group, whatever their roles."""

    __tablename__ = "share_grants"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_share_grants_dashboard",
        ),
        UniqueConstraint(
            "tenant_id",
            "dashboard_id",
            "subject_type",
            "subject_id",
            name="uq_share_grants_subject",
        ),
        Index("ix_share_grants_subject", "tenant_id", "subject_type", "subject_id"),
        CheckConstraint("subject_type IN ('user', 'group')", name="subject_type_known"),
        CheckConstraint(
            "access_level IN ('viewer', 'commenter', 'editor')", name="access_level_known"
        ),
    )

    tenant_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    subject_type: Mapped[str] = mapped_column(String(10), nullable=False)
    subject_id: Mapped[str] = mapped_column(String(255), nullable=False)
    access_level: Mapped[str] = mapped_column(String(10), nullable=False)
    granted_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _created_at()


class Dataset(Base):
    """A table, a view or a SQL query in the tenant's data schema, with its columns as the
    database described them when the dataset was saved."""

    __tablename__ = "datasets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("source_kind IN ('table', 'view', 'sql')", name="source_kind_known"),
        CheckConstraint("jsonb_typeof(columns) = 'array'", name="columns_is_array"),
    )

    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str | None] = mapped_column(String(255))
    source_kind: Mapped[str] = mapped_column(String(10), nullable=False)
    # The relation's name in the tenant's schema, or the SQL text.
    source: Mapped[str] = mapped_column(Text, nullable=False)
    # [{"name": "region", "type": "string", "db_type": "text"}, …]
    columns: Mapped[list[dict[str, str]]] = mapped_column(JSONB, nullable=False)
    owner_id: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _created_at()


class DashboardWidget(Base):
    __tablename__ = "dashboard_widgets"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(
            "data_source IS NULL OR jsonb_typeof(data_source) = 'object'",
            name="data_source_is_object",
        ),
        # The dataset a structured data source reads; it cannot be deleted while used.
        ForeignKeyConstraint(
            ["tenant_id", "dataset_id"],
            ["datasets.tenant_id", "datasets.id"],
            ondelete="RESTRICT",
            name="fk_dashboard_widgets_dataset",
        ),
        Index("ix_dashboard_widgets_dataset", "tenant_id", "dataset_id"),
        # Seed 004 names library widgets by a kind ("revenue_chart"), one per tenant.
        UniqueConstraint("tenant_id", "kind"),
    )

    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    widget_type: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str | None] = mapped_column(String(1000))
    config: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    # False for the private widget behind a card added with addDashboardCard: it is listed
    # with its card, not in the tenant's widget library, and goes when its card goes.
    in_library: Mapped[bool] = mapped_column(nullable=False, server_default=text("true"))
    # Where the tile's data comes from: {"sql", "cache_ttl_seconds"} or a structured query
    # on a dataset (app/domain/data_sources.py); null for tiles without data (text).
    data_source: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    dataset_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str | None] = mapped_column(String(60))
    owner_id: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _created_at()


class DashboardWidgetPlacement(Base):
    """A widget placed on a dashboard. The composite foreign keys carry `tenant_id`, so a
    placement can only join a dashboard and a widget of its own tenant."""

    __tablename__ = "dashboard_widget_placements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_placements_dashboard",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "widget_id"],
            ["dashboard_widgets.tenant_id", "dashboard_widgets.id"],
            ondelete="RESTRICT",
            name="fk_placements_widget",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "page_id"],
            ["dashboard_pages.tenant_id", "dashboard_pages.id"],
            ondelete="CASCADE",
            name="fk_placements_page",
        ),
        UniqueConstraint(
            "tenant_id", "dashboard_id", "widget_id", name="uq_placements_dashboard_widget"
        ),
        Index("ix_placements_widget", "tenant_id", "widget_id"),
        CheckConstraint("jsonb_typeof(position) = 'object'", name="position_is_object"),
        Index("ix_placements_dashboard", "tenant_id", "dashboard_id", "ordinal"),
        Index("ix_placements_page", "tenant_id", "page_id"),
    )

    tenant_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    page_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    widget_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # Gridstack coordinates {x, y, w, h}; `{}` when the client gave none (seed 001).
    position: Mapped[dict[str, int]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    # Order of the placement in the list the client sent.
    ordinal: Mapped[int] = mapped_column(Integer, nullable=False)
    # Seed 004: the client's own key for the tile ("widget_1") and its title on this
    # dashboard (the widget's name when null).
    client_key: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))


class PublicLink(Base):
    """A dashboard made public: its slug opens its render, and nothing else, without a token.
    The slug is the key (public requests name no tenant); deleting the row revokes it."""

    __tablename__ = "public_links"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_public_links_dashboard",
        ),
        UniqueConstraint("tenant_id", "dashboard_id", name="uq_public_links_dashboard"),
    )

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    dashboard_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created_at()


class TenantUser(Base):
    """A user the tenant knows: one who has called the API in it or was assigned a
    dashboard in it."""

    __tablename__ = "tenant_users"

    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    first_seen_at: Mapped[datetime] = _created_at()


class DashboardAssignment(Base):
    """A dashboard assigned to a user (seed 004); at most one is the user's default,
    guaranteed by the database."""

    __tablename__ = "dashboard_assignments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_assignments_dashboard",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["tenant_users.tenant_id", "tenant_users.user_id"],
            ondelete="CASCADE",
            name="fk_assignments_user",
        ),
        Index(
            "uq_assignments_one_default_per_user",
            "tenant_id",
            "user_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
        Index("ix_assignments_dashboard", "tenant_id", "dashboard_id"),
    )

    tenant_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    is_default: Mapped[bool] = mapped_column(nullable=False, server_default=text("false"))
    assigned_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created_at()


class DashboardRevision(Base):
    """A version a dashboard reached (issue 8): the newest row of a dashboard holds its full
    snapshot, each older row the reverse patch from the next revision's state to its own."""

    __tablename__ = "dashboard_revisions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_dashboard_revisions_dashboard",
        ),
        CheckConstraint("version > 0", name="version_positive"),
        CheckConstraint("(snapshot IS NULL) <> (patch IS NULL)", name="one_state"),
        Index("ix_dashboard_revisions_created_at", "created_at"),
    )

    tenant_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    # clock_timestamp(), not now(): revisions of a dashboard are written under its row lock,
    # so their times increase with their versions (retention relies on it).
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=text("clock_timestamp()")
    )
    author_id: Mapped[str] = mapped_column(Text, nullable=False)
    message: Mapped[str | None] = mapped_column(String(500))
    restored_from: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")
    )
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    patch: Mapped[list[Any] | None] = mapped_column(JSONB(none_as_null=True))


# Core handles for set-based statements (the hot paths use Core rows, not ORM objects).
dashboards = cast(Table, Dashboard.__table__)
dashboard_widgets = cast(Table, DashboardWidget.__table__)
placements = cast(Table, DashboardWidgetPlacement.__table__)
tenants = cast(Table, Tenant.__table__)
collections = cast(Table, Collection.__table__)
pages = cast(Table, DashboardPage.__table__)
share_grants = cast(Table, ShareGrant.__table__)
datasets = cast(Table, Dataset.__table__)
public_links = cast(Table, PublicLink.__table__)
tenant_users = cast(Table, TenantUser.__table__)
assignments = cast(Table, DashboardAssignment.__table__)
revisions = cast(Table, DashboardRevision.__table__)
