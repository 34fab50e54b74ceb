"""Dashboards get visibility, tags, a type and a refresh interval; library widgets a kind;
placements a client key and title; users known to a tenant and their dashboard assignments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "dashboards",
        sa.Column("visibility", sa.String(10), server_default=sa.text("'team'"), nullable=False),
    )
    op.add_column(
        "dashboards",
        sa.Column(
            "tags",
            postgresql.ARRAY(sa.String(50)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )
    op.add_column("dashboards", sa.Column("type", sa.String(50), nullable=True))
    op.add_column("dashboards", sa.Column("refresh_interval", sa.Integer(), nullable=True))
    op.create_check_constraint(
        "ck_dashboards_visibility_known",
        "dashboards",
        "visibility IN ('private', 'team', 'public')",
    )
    op.create_check_constraint(
        "ck_dashboards_refresh_interval_range",
        "dashboards",
        "refresh_interval IS NULL OR refresh_interval BETWEEN 0 AND 86400",
    )
    op.create_index("ix_dashboards_tags", "dashboards", ["tags"], postgresql_using="gin")
    op.add_column("dashboard_widgets", sa.Column("kind", sa.String(60), nullable=True))
    op.create_unique_constraint(
        "uq_dashboard_widgets_tenant_id_kind", "dashboard_widgets", ["tenant_id", "kind"]
    )
    op.add_column(
        "dashboard_widget_placements", sa.Column("client_key", sa.String(100), nullable=True)
    )
    op.add_column("dashboard_widget_placements", sa.Column("title", sa.String(100), nullable=True))
    op.create_table(
        "tenant_users",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column(
            "first_seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            ondelete="CASCADE",
            name="fk_tenant_users_tenant_id_tenants",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name="pk_tenant_users"),
    )
    op.create_table(
        "dashboard_assignments",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("dashboard_id", sa.BigInteger(), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("assigned_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_assignments_dashboard",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["tenant_users.tenant_id", "tenant_users.user_id"],
            ondelete="CASCADE",
            name="fk_assignments_user",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "user_id", "dashboard_id", name="pk_dashboard_assignments"
        ),
    )
    op.create_index(
        "uq_assignments_one_default_per_user",
        "dashboard_assignments",
        ["tenant_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.create_index(
        "ix_assignments_dashboard", "dashboard_assignments", ["tenant_id", "dashboard_id"]
    )


def downgrade() -> None:
    op.drop_table("dashboard_assignments")
    op.drop_table("tenant_users")
    op.drop_column("dashboard_widget_placements", "title")
    op.drop_column("dashboard_widget_placements", "client_key")
    op.drop_constraint("uq_dashboard_widgets_tenant_id_kind", "dashboard_widgets", type_="unique")
    op.drop_column("dashboard_widgets", "kind")
    op.drop_index("ix_dashboards_tags", table_name="dashboards")
    op.drop_constraint("ck_dashboards_refresh_interval_range", "dashboards", type_="check")
    op.drop_constraint("ck_dashboards_visibility_known", "dashboards", type_="check")
    op.drop_column("dashboards", "refresh_interval")
    op.drop_column("dashboards", "type")
    op.drop_column("dashboards", "tags")
    op.drop_column("dashboards", "visibility")
