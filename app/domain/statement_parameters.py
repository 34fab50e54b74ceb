"""Named parameters for statements built once per process rather than once per call.

Building a SQLAlchemy statement, and computing its cache key, costs more than running it
for the small batch reads behind every GraphQL request. The hot reads are therefore module
constants whose per-request values (the tenant, the batch's ids, the caller) are parameters,
bound when the statement runs. A batch's ids go as one array (`= ANY(:ids)`), not as an
IN list, so the SQL text is the same for any number of ids and needs no rewriting at each
execution."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from app.context import RequestContext

TENANT_ID = bindparam("tenant_id", type_=BigInteger)


def among_ids(column: ColumnElement[Any]) -> ColumnElement[bool]:
    """`column = ANY(:ids)`, with the ids given by `batch_parameters`."""
    return column == any_(bindparam("ids", type_=ARRAY(column.type)))


def batch_parameters(ctx: RequestContext, ids: Iterable[int]) -> dict[str, Any]:
    """The parameters of a batch read by id in the context's tenant."""
    return {"tenant_id": ctx.tenant_id, "ids": list(ids)}
