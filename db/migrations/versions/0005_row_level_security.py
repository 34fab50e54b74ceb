"""Row-level security on every tenant table, as a second wall behind the tenant filter that
every query carries (docs/row-level-security.md).

Tenant-scoped work runs as a role of its own, made here: `dsb_<8 hex of the database name>_scoped`
(roles belong to the server, so the name carries the installation, as the tenant data roles'
names do). It cannot log in, owns nothing and cannot bypass row-level security, so the
policies bind it: it sees and writes the rows of the tenant that `bind_tenant(id)` set for the
transaction, and none when no tenant is set. The user that runs this migration (the service's)
becomes a member, to switch to it; that user stays the tables' owner and keeps working across
tenants (tenant directory, public-link lookup by slug, later data migrations).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables keyed by tenant_id, as of this revision. A later table adds its own grant and policy
# (tests/test_row_level_security.py fails for a tenant_id table without them).
TENANT_TABLES = (
    "collections",
    "dashboards",
    "dashboard_pages",
    "share_grants",
    "datasets",
    "dashboard_widgets",
    "dashboard_widget_placements",
    "public_links",
    "tenant_users",
    "dashboard_assignments",
)

# The tenant bound to the transaction, NULL when none is. A custom setting set for one
# transaction reads '' (not NULL) on the same connection after it ended, hence the NULLIF.
# The expression is stable: computed once per statement, so the tenant indexes serve it.
BOUND_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"

IDENTITY_SEQUENCES = sa.text(
    "SELECT pg_get_serial_sequence(table_name, column_name) FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = ANY (:tables)"
    " AND is_identity = 'YES'"
)


def _scoped_role() -> str:
    database = op.get_bind().scalar(sa.text("SELECT current_database()"))
    return "dsb_" + hashlib.sha256(str(database).encode()).hexdigest()[:8] + "_scoped"


def upgrade() -> None:
    role = _scoped_role()
    exists = op.get_bind().scalar(
        sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
    )
    if not exists:
        op.execute(
            f"CREATE ROLE {role} NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE "
            "NOREPLICATION NOBYPASSRLS"
        )
    op.execute(f"GRANT {role} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA {_current_schema()} TO {role}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TENANT_TABLES)} TO {role}")
    # Copies reserve ids ahead with nextval() on the identity sequences.
    for sequence in op.get_bind().scalars(IDENTITY_SEQUENCES, {"tables": list(TENANT_TABLES)}):
        op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {role}")
    # Tenant-scoped writes read and lock their own tenant's row (a row lock needs UPDATE).
    op.execute(f"GRANT SELECT, UPDATE ON tenants TO {role}")
    op.execute(f"CREATE POLICY tenant_scope ON tenants TO {role} USING (id = {BOUND_TENANT})")
    for table in TENANT_TABLES:
        op.execute(
            f"CREATE POLICY tenant_scope ON {table} TO {role} "
            f"USING (tenant_id = {BOUND_TENANT}) WITH CHECK (tenant_id = {BOUND_TENANT})"
        )
    for table in ("tenants", *TENANT_TABLES):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    # One statement binds a transaction to a tenant; both settings end with the transaction,
    # so a pooled connection carries nothing to its next use.
    op.execute(
        "CREATE FUNCTION bind_tenant(tenant bigint) RETURNS void LANGUAGE sql VOLATILE AS $$ "
        f"SELECT set_config('role', '{role}', true), "
        "set_config('app.tenant_id', tenant::text, true) $$"
    )
    # Only the service's user binds tenants; a tile query's login role cannot even call it.
    op.execute("REVOKE ALL ON FUNCTION bind_tenant(bigint) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION bind_tenant(bigint) TO CURRENT_USER")


def downgrade() -> None:
    role = _scoped_role()
    op.execute("DROP FUNCTION bind_tenant(bigint)")
    for table in ("tenants", *TENANT_TABLES):
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"DROP POLICY tenant_scope ON {table}")
    # DROP OWNED revokes what the role was granted in this database (it owns nothing).
    op.execute(f"DROP OWNED BY {role}")
    op.execute(f"DROP ROLE {role}")


def _current_schema() -> str:
    return str(op.get_bind().scalar(sa.text("SELECT current_schema()")))
