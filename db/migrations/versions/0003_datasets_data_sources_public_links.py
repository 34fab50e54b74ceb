"""Datasets, widget data sources and public links.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(255), nullable=True),
        sa.Column("source_kind", sa.String(10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("columns", postgresql.JSONB(), nullable=False),
        sa.Column("owner_id", sa.Text(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("length(name) > 0", name="ck_datasets_name_not_empty"),
        sa.CheckConstraint(
            "source_kind IN ('table', 'view', 'sql')", name="ck_datasets_source_kind_known"
        ),
        sa.CheckConstraint("jsonb_typeof(columns) = 'array'", name="ck_datasets_columns_is_array"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], ondelete="CASCADE", name="fk_datasets_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_datasets"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_datasets_tenant_id_name"),
    )
    op.add_column("dashboard_widgets", sa.Column("data_source", postgresql.JSONB(), nullable=True))
    op.add_column("dashboard_widgets", sa.Column("dataset_id", sa.BigInteger(), nullable=True))
    op.create_check_constraint(
        "ck_dashboard_widgets_data_source_is_object",
        "dashboard_widgets",
        "data_source IS NULL OR jsonb_typeof(data_source) = 'object'",
    )
    op.create_foreign_key(
        "fk_dashboard_widgets_dataset",
        "dashboard_widgets",
        "datasets",
        ["tenant_id", "dataset_id"],
        ["tenant_id", "id"],
        ondelete="RESTRICT",
    )
    op.create_index(
        "ix_dashboard_widgets_dataset", "dashboard_widgets", ["tenant_id", "dataset_id"]
    )
    op.create_table(
        "public_links",
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("dashboard_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_public_links_dashboard",
        ),
        sa.PrimaryKeyConstraint("slug", name="pk_public_links"),
        sa.UniqueConstraint("tenant_id", "dashboard_id", name="uq_public_links_dashboard"),
    )


def downgrade() -> None:
    op.drop_table("public_links")
    op.drop_index("ix_dashboard_widgets_dataset", table_name="dashboard_widgets")
    op.drop_constraint("fk_dashboard_widgets_dataset", "dashboard_widgets", type_="foreignkey")
    op.drop_constraint(
        "ck_dashboard_widgets_data_source_is_object", "dashboard_widgets", type_="check"
    )
    op.drop_column("dashboard_widgets", "dataset_id")
    op.drop_column("dashboard_widgets", "data_source")
    op.drop_table("datasets")
