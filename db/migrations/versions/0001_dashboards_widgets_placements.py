"""Tenants, dashboards, dashboard widgets and their placements.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("name", name="uq_tenants_name"),
    )
    op.create_table(
        "dashboards",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("description", sa.String(255), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "role_ids",
            postgresql.ARRAY(sa.Integer()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("length(code) > 0", name="ck_dashboards_code_not_empty"),
        sa.CheckConstraint("length(name) > 0", name="ck_dashboards_name_not_empty"),
        sa.CheckConstraint("version > 0", name="ck_dashboards_version_positive"),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            ondelete="CASCADE",
            name="fk_dashboards_tenant_id_tenants",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_dashboards"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_dashboards_tenant_id_code"),
    )
    op.create_index(
        "uq_dashboards_one_default_per_tenant",
        "dashboards",
        ["tenant_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "dashboard_widgets",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("widget_type", sa.String(40), nullable=False),
        sa.Column("description", sa.String(1000), nullable=True),
        sa.Column(
            "config", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("owner_id", sa.Text(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("length(name) > 0", name="ck_dashboard_widgets_name_not_empty"),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            ondelete="CASCADE",
            name="fk_dashboard_widgets_tenant_id_tenants",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_dashboard_widgets"),
    )
    op.create_table(
        "dashboard_widget_placements",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("dashboard_id", sa.BigInteger(), nullable=False),
        sa.Column("widget_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "position", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "jsonb_typeof(position) = 'object'",
            name="ck_dashboard_widget_placements_position_is_object",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_placements_dashboard",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "widget_id"],
            ["dashboard_widgets.tenant_id", "dashboard_widgets.id"],
            ondelete="RESTRICT",
            name="fk_placements_widget",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_dashboard_widget_placements"),
        sa.UniqueConstraint(
            "tenant_id",
            "dashboard_id",
            "widget_id",
            name="uq_placements_dashboard_widget",
        ),
    )
    op.create_index(
        "ix_placements_widget", "dashboard_widget_placements", ["tenant_id", "widget_id"]
    )
    op.create_index(
        "ix_placements_dashboard",
        "dashboard_widget_placements",
        ["tenant_id", "dashboard_id", "ordinal"],
    )


def downgrade() -> None:
    op.drop_table("dashboard_widget_placements")
    op.drop_table("dashboard_widgets")
    op.drop_index("uq_dashboards_one_default_per_tenant", table_name="dashboards")
    op.drop_table("dashboards")
    op.drop_table("tenants")
