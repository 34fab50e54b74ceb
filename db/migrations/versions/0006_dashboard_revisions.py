"""Dashboard revisions (issue 8): one row per version a dashboard reached. The newest row of
a dashboard holds the full snapshot; each older row holds only the reverse patch that turns
the next revision's state into its own, so storage grows with what changed, and pruning the
oldest rows never rewrites the others (docs/version-history.md).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOUND_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"


def upgrade() -> None:
    op.create_table(
        "dashboard_revisions",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("dashboard_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("author_id", sa.Text(), nullable=False),
        sa.Column("message", sa.String(500), nullable=True),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column(
            "changes", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("snapshot", postgresql.JSONB(), nullable=True),
        sa.Column("patch", postgresql.JSONB(), nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "dashboard_id", "version", name="pk_dashboard_revisions"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "dashboard_id"],
            ["dashboards.tenant_id", "dashboards.id"],
            ondelete="CASCADE",
            name="fk_dashboard_revisions_dashboard",
        ),
        sa.CheckConstraint("version > 0", name="ck_dashboard_revisions_version_positive"),
        sa.CheckConstraint(
            "(snapshot IS NULL) <> (patch IS NULL)", name="ck_dashboard_revisions_one_state"
        ),
    )
    # Retention looks for old rows across tenants.
    op.create_index("ix_dashboard_revisions_created_at", "dashboard_revisions", ["created_at"])
    role = _scoped_role()
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON dashboard_revisions TO {role}")
    op.execute(
        f"CREATE POLICY tenant_scope ON dashboard_revisions TO {role} "
        f"USING (tenant_id = {BOUND_TENANT}) WITH CHECK (tenant_id = {BOUND_TENANT})"
    )
    op.execute("ALTER TABLE dashboard_revisions ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_table("dashboard_revisions")


def _scoped_role() -> str:
    database = op.get_bind().scalar(sa.text("SELECT current_database()"))
    return "dsb_" + hashlib.sha256(str(database).encode()).hexdigest()[:8] + "_scoped"
