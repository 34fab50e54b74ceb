"""Restoring a revision: the dashboard's live rows are rewritten to the revision's state in
one transaction, under the dashboard's row lock and its expected version, and the result is
recorded as a new revision (which names the version it restored).

What a restore does not bring back (docs/version-history.md): the tenant's default flag (a
tenant-level choice: a restore never takes the default from another dashboard) and the public
link (a restore never publishes or unpublishes). Grants are restored only for callers who may
manage the dashboard; for an editor, a restore that would change its grants is forbidden.
A card whose library widget was deleted since cannot be restored: UNKNOWN_REFERENCE, and
nothing changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import Action
from app.domain.collections import require_collection
from app.domain.constraints import violated_constraint
from app.domain.editing import bump_version, lock_dashboard
from app.domain.records import DASHBOARD_CONTENT_FIELDS, DashboardRecord
from app.domain.revisions.patches import same
from app.domain.revisions.reading import states_at
from app.domain.revisions.recording import revision_note
from app.domain.revisions.snapshot import Snapshot, current_snapshot
from app.domain.widgets import delete_unplaced_card_widgets
from app.errors import DomainError, ErrorCode, Problem, not_found
from db.models import dashboard_widgets, datasets, pages, placements, share_grants

# Kept as they are by a restore (see the module's docstring).
_NOT_RESTORED = {"is_default"}


async def restore_revision(
    ctx: RequestContext,
    dashboard_id: int,
    version: int,
    *,
    expected_version: int | None,
    message: str | None = None,
) -> DashboardRecord:
    """The dashboard after restoring revision `version` (message: checked already)."""
    async with ctx.db.transaction() as conn:
        current = await lock_dashboard(
            conn,
            ctx,
            dashboard_id,
            expected_version,
            action=Action.EDIT,
            description="restoring a revision",
            field=("dashboard_id",),
        )
        target = (await states_at(conn, ctx, dashboard_id, [version])).get(version)
        if target is None:
            raise not_found("revision", version, ("version",))
        live = await current_snapshot(conn, ctx.tenant_id, dashboard_id)
        if not same(target["grants"], live["grants"]):
            # Grants decide who sees the dashboard: changing them is managing it.
            await lock_dashboard(
                conn,
                ctx,
                dashboard_id,
                None,
                action=Action.MANAGE,
                description="restoring a revision with other grants",
                field=("dashboard_id",),
            )
        await _require_references(conn, ctx, target)
        fields = target["dashboard"]
        if fields["collection_id"] is not None and fields["collection_id"] != (
            current.collection_id
        ):
            await require_collection(conn, ctx, fields["collection_id"], ("version",))
        if not same(_content(target), _content(live)):
            await _write_content(conn, ctx, dashboard_id, target, live)
        if not same(target["grants"], live["grants"]):
            await _write_grants(conn, ctx, dashboard_id, target)
        values = {
            name: fields[name]
            for name in DASHBOARD_CONTENT_FIELDS
            if name not in _NOT_RESTORED and not same(fields[name], live["dashboard"][name])
        }
        with revision_note(message, restored_from=version):
            try:
                record = await bump_version(conn, ctx, dashboard_id, **values)
            except IntegrityError as exc:
                if violated_constraint(exc) == "uq_dashboards_tenant_id_code":
                    raise DomainError(
                        Problem(
                            ErrorCode.ALREADY_EXISTS,
                            f"another dashboard has taken code '{fields['code']}' since "
                            f"version {version}; change that dashboard's code first",
                            ("version",),
                        )
                    ) from exc
                raise
    for widget_id, widget in target["card_widgets"].items():
        if not same(
            live["card_widgets"].get(widget_id, {}).get("data_source"), widget["data_source"]
        ):
            await ctx.data.cache.invalidate_widget(ctx.tenant_id, int(widget_id))
    return record


def _content(state: Snapshot) -> list[Any]:
    return [state["pages"], state["cards"], state["card_widgets"]]


async def _require_references(conn: AsyncConnection, ctx: RequestContext, target: Snapshot) -> None:
    """The library widgets the revision's cards show, and the datasets its card widgets
    read, must still exist (they are the tenant's, referenced rather than kept)."""
    library = {
        card["widget_id"]
        for card in target["cards"].values()
        if str(card["widget_id"]) not in target["card_widgets"]
    }
    if library:
        existing = set(
            (
                await conn.execute(
                    select(dashboard_widgets.c.id).where(
                        dashboard_widgets.c.tenant_id == ctx.tenant_id,
                        dashboard_widgets.c.id.in_(library),
                    )
                )
            ).scalars()
        )
        if missing := sorted(library - existing):
            raise _deleted_since("this revision shows widget(s)", missing)
    wanted = {w["dataset_id"] for w in target["card_widgets"].values() if w["dataset_id"]}
    if wanted:
        existing = set(
            (
                await conn.execute(
                    select(datasets.c.id)
                    .where(datasets.c.tenant_id == ctx.tenant_id, datasets.c.id.in_(wanted))
                    .with_for_update(read=True, key_share=True)
                )
            ).scalars()
        )
        if missing := sorted(wanted - existing):
            raise _deleted_since("this revision's cards read dataset(s)", missing)


def _deleted_since(reference: str, missing: list[int]) -> DomainError:
    """The revision refers to rows of the tenant deleted since: `reference` says how."""
    return DomainError(
        Problem(
            ErrorCode.UNKNOWN_REFERENCE,
            f"{reference} {', '.join(map(str, missing))}, deleted since; it cannot be restored",
            ("version",),
        )
    )


async def _write_content(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, target: Snapshot, live: Snapshot
) -> None:
    """Replace pages, cards and card widgets by the revision's, keeping their ids (ids are
    never reused, so an id of the revision is either still the same row or free)."""
    tenant = ctx.tenant_id
    await conn.execute(
        delete(pages).where(pages.c.tenant_id == tenant, pages.c.dashboard_id == dashboard_id)
    )  # placements go with their pages
    for widget_id, widget in target["card_widgets"].items():
        values = {"tenant_id": tenant, "id": int(widget_id), "in_library": False, **widget}
        statement = insert(dashboard_widgets).values(**values)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[dashboard_widgets.c.tenant_id, dashboard_widgets.c.id],
                set_={name: statement.excluded[name] for name in widget},
                where=dashboard_widgets.c.in_library.is_(False),
            )
        )
    if target["pages"]:
        await conn.execute(
            pages.insert(),
            [
                {"tenant_id": tenant, "id": int(i), "dashboard_id": dashboard_id, **page}
                for i, page in target["pages"].items()
            ],
        )
    if target["cards"]:
        await conn.execute(
            placements.insert(),
            [
                {"tenant_id": tenant, "id": int(i), "dashboard_id": dashboard_id, **card}
                for i, card in target["cards"].items()
            ],
        )
    gone = [int(i) for i in live["card_widgets"].keys() - target["card_widgets"].keys()]
    await delete_unplaced_card_widgets(conn, ctx, gone)


async def _write_grants(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, target: Snapshot
) -> None:
    await conn.execute(
        delete(share_grants).where(
            share_grants.c.tenant_id == ctx.tenant_id, share_grants.c.dashboard_id == dashboard_id
        )
    )
    if target["grants"]:
        await conn.execute(
            share_grants.insert(),
            [
                {"tenant_id": ctx.tenant_id, "id": int(i), "dashboard_id": dashboard_id, **grant}
                for i, grant in target["grants"].items()
            ],
        )
