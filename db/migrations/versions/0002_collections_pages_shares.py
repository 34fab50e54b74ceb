"""Collections, pages, share grants; dashboards get a collection and parameters, placements
a page. Every existing dashboard gets a first page holding its placements.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def _updated() -> sa.Column[object]:
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(255), nullable=True),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        _now(),
        _updated(),
        sa.CheckConstraint("length(name) > 0", name="ck_collections_name_not_empty"),
        sa.CheckConstraint("parent_id <> id", name="ck_collections_not_own_parent"),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            ondelete="CASCADE",
            name="fk_collections_tenant_id_tenants",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["collections.tenant_id", "collections.id"],
            ondelete="RESTRICT",
            name="fk_collections_parent",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_collections"),
        sa.UniqueConstraint(
            "tenant_id",
            "parent_id",
            "name",
            name="uq_collections_sibling_name",
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.add_column("dashboards", sa.Column("collection_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "dashboards",
        sa.Column(
            "parameters", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
    )
    op.create_foreign_key(
        "fk_dashboards_collection",
        "dashboards",
        "collections",
        ["tenant_id", "collection_id"],
        ["tenant_id", "id"],
        ondelete="RESTRICT",
    )
    op.create_index("ix_dashboards_collection", "dashboards", ["tenant_id", "collection_id"])
    op.create_check_constraint(
        "ck_dashboards_parameters_is_object", "dashboards", "jsonb_typeof(parameters) = 'object'"
    )

    op.create_table(
        "dashboard_pages",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("dashboard_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("position > 0", name="ck_dashboard_pages_position_positive"),
        sa.CheckConstraint("length(name) > 0", name="ck_dashboard_pages_name_not_empty"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_pages_dashboard",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_dashboard_pages"),
        sa.UniqueConstraint(
            "tenant_id",
            "dashboard_id",
            "position",
            name="uq_pages_dashboard_position",
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    op.execute(
        "INSERT INTO dashboard_pages (tenant_id, dashboard_id, name, position) "
        "SELECT tenant_id, id, 'Page 1', 1 FROM dashboards"
    )
    op.add_column(
        "dashboard_widget_placements", sa.Column("page_id", sa.BigInteger(), nullable=True)
    )
    op.execute(
        "UPDATE dashboard_widget_placements p SET page_id = g.id FROM dashboard_pages g "
        "WHERE g.tenant_id = p.tenant_id AND g.dashboard_id = p.dashboard_id"
    )
    op.alter_column("dashboard_widget_placements", "page_id", nullable=False)
    op.create_foreign_key(
        "fk_placements_page",
        "dashboard_widget_placements",
        "dashboard_pages",
        ["tenant_id", "page_id"],
        ["tenant_id", "id"],
        ondelete="CASCADE",
    )
    op.create_index("ix_placements_page", "dashboard_widget_placements", ["tenant_id", "page_id"])

    op.add_column(
        "dashboard_widgets",
        sa.Column("in_library", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )

    op.create_table(
        "share_grants",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("dashboard_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_type", sa.String(10), nullable=False),
        sa.Column("subject_id", sa.String(255), nullable=False),
        sa.Column("access_level", sa.String(10), nullable=False),
        sa.Column("granted_by", sa.Text(), nullable=False),
        _now(),
        _updated(),
        sa.CheckConstraint(
            "subject_type IN ('user', 'group')", name="ck_share_grants_subject_type_known"
        ),
        sa.CheckConstraint(
            "access_level IN ('viewer', 'commenter', 'editor')",
            name="ck_share_grants_access_level_known",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_share_grants_dashboard",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_share_grants"),
        sa.UniqueConstraint(
            "tenant_id",
            "dashboard_id",
            "subject_type",
            "subject_id",
            name="uq_share_grants_subject",
        ),
    )
    op.create_index(
        "ix_share_grants_subject", "share_grants", ["tenant_id", "subject_type", "subject_id"]
    )


def downgrade() -> None:
    op.drop_table("share_grants")
    op.drop_column("dashboard_widgets", "in_library")
    op.drop_index("ix_placements_page", table_name="dashboard_widget_placements")
    op.drop_constraint("fk_placements_page", "dashboard_widget_placements", type_="foreignkey")
    op.drop_column("dashboard_widget_placements", "page_id")
    op.drop_table("dashboard_pages")
    op.drop_constraint("ck_dashboards_parameters_is_object", "dashboards", type_="check")
    op.drop_index("ix_dashboards_collection", table_name="dashboards")
    op.drop_constraint("fk_dashboards_collection", "dashboards", type_="foreignkey")
    op.drop_column("dashboards", "parameters")
    op.drop_column("dashboards", "collection_id")
    op.drop_table("collections")
