"""Built-in dashboard templates: fixed shapes wired to a dataset's columns by their types.
Pure planning, no I/O: `plan_dashboard` says which cards, parameters and pages a new dashboard
gets; the caller persists the plan. Data sources are structured queries (docs/tile-data.md).
A template is a builder function registered with `@_template`; its docstring describes it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from app.domain.records import ColumnType, DatasetRecord, Position
from app.domain.widgets import WidgetType
from app.errors import DomainError, ErrorCode, Problem

GRID_COLUMNS = 12
CARD_NAME_MAX, DESCRIPTION_MAX = 100, 255
TABLE_COLUMNS_MAX = 200  # what a table card's config may list
# PostgreSQL cuts identifiers, output column names included, at 63 bytes.
IDENTIFIER_MAX_BYTES = 63
_TEMPORAL = frozenset({ColumnType.DATE, ColumnType.DATETIME})


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    id: str
    name: str
    description: str
    requirements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlannedCard:
    name: str
    widget_type: WidgetType
    config: dict[str, Any]
    data_source: dict[str, Any] | None  # None for text cards
    position: Position
    page: int = 1  # 1-based


@dataclass(frozen=True, slots=True)
class DashboardPlan:
    description: str
    parameters: dict[str, Any]
    pages: tuple[str, ...]
    cards: tuple[PlannedCard, ...]


@dataclass(frozen=True, slots=True)
class _Need:
    label: str
    types: frozenset[ColumnType]
    optional: str | None = None  # what the column adds, when the template does without it

    @property
    def requirement(self) -> str:
        return self.label if self.optional is None else f"{self.label} (optional: {self.optional})"


_NUMBER = _Need("a number column", frozenset({ColumnType.NUMBER}))
_STRING = _Need("a string column", frozenset({ColumnType.STRING}))
_DATE = _Need("a date or datetime column", _TEMPORAL)
_ANY = _Need("at least one column", frozenset(ColumnType))


@dataclass(frozen=True, slots=True)
class _Columns:
    """The dataset's column names by role, each in dataset order."""

    dataset_id: int
    all: tuple[str, ...]
    measures: tuple[str, ...]  # number columns; identifiers only when there is nothing else
    categories: tuple[str, ...]  # string columns; identifiers only when there is nothing else
    strings: tuple[str, ...]
    dates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Card:
    """A card before layout: its size, not yet its place. The name doubles as its title."""

    name: str
    widget_type: WidgetType
    config: dict[str, Any]
    data_source: dict[str, Any] | None
    w: int = GRID_COLUMNS
    h: int = 5


@dataclass(frozen=True, slots=True)
class _Draft:
    page: str
    rows: list[list[_Card]]  # top to bottom; a row's widths add up to at most 12
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Template:
    info: TemplateInfo
    needs: tuple[_Need, ...]
    build: Callable[[_Columns], _Draft]


_TEMPLATES: dict[str, _Template] = {}


def _template(
    id: str, name: str, *needs: _Need
) -> Callable[[Callable[[_Columns], _Draft]], Callable[[_Columns], _Draft]]:
    def register(build: Callable[[_Columns], _Draft]) -> Callable[[_Columns], _Draft]:
        description = " ".join((build.__doc__ or "").split())
        info = TemplateInfo(id, name, description, tuple(n.requirement for n in needs))
        _TEMPLATES[id] = _Template(info, needs, build)
        return build

    return register


def _preferred(names: list[str]) -> tuple[str, ...]:
    """The names that do not look like identifiers (`id`, `…_id`), if any."""
    plain = [n for n in names if not re.fullmatch(r"(?i)(.*[_ ])?id", n.strip())]
    return tuple(plain or names)


def _columns(dataset: DatasetRecord) -> _Columns:
    numbers = [c.name for c in dataset.columns if c.type is ColumnType.NUMBER]
    strings = [c.name for c in dataset.columns if c.type is ColumnType.STRING]
    return _Columns(
        dataset_id=dataset.id,
        all=tuple(c.name for c in dataset.columns),
        measures=_preferred(numbers),
        categories=_preferred(strings),
        strings=tuple(strings),
        dates=tuple(c.name for c in dataset.columns if c.type in _TEMPORAL),
    )


def _fit(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _short(column: str) -> str:
    """A column's name as titles show it: cut, so that titles naming two stay readable."""
    return _fit(column, 40)


def _output(column: str, aggregate: str = "sum") -> str:
    """The measure's output column: `<aggregate>_<column>`, or, when PostgreSQL would cut that,
    a shorter name kept unique by a hash of the column's name."""
    name = f"{aggregate}_{column}"
    if len(name.encode()) <= IDENTIFIER_MAX_BYTES:
        return name
    digest = hashlib.blake2s(column.encode(), digest_size=4).hexdigest()
    head = name.encode()[: IDENTIFIER_MAX_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{head}_{digest}"


def _measure(column: str, aggregate: str = "sum") -> dict[str, Any]:
    output = _output(column, aggregate)
    spec = {"aggregate": aggregate, "column": column}
    return spec if output == f"{aggregate}_{column}" else {**spec, "as": output}


def _param_name(column: str) -> str:
    """A parameter named after the column, usable as `:name` in SQL and in `param.<name>`."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", column).strip("_") or "value"
    return f"p_{name}" if name[0].isdigit() else name


def _query(cols: _Columns, **parts: Any) -> dict[str, Any]:
    return {"dataset_id": cols.dataset_id, **{k: v for k, v in parts.items() if v}}


def _by_grain(column: str, grain: str, direction: str = "asc") -> dict[str, Any]:
    """Query parts grouping by a date column's `grain`, in time order."""
    return {
        "dimensions": [{"column": column, "grain": grain}],
        "sort": [{"field": column, "direction": direction}],
    }


def _widths(count: int) -> list[int]:
    """`count` widths that fill a row of the grid as evenly as they can."""
    base, extra = divmod(GRID_COLUMNS, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _kpi(name: str, metric: str, source: dict[str, Any], w: int) -> _Card:
    return _Card(name, WidgetType.KPI_CARD, {"metric": metric, "format": "number"}, source, w, 2)


def _kpi_row(cols: _Columns, filters: list[dict[str, Any]]) -> list[_Card]:
    """Totals of up to four measures and the row count, side by side."""
    measures = cols.measures[:4]
    widths = _widths(len(measures) + 1)
    cards = []
    for m, w in zip(measures, widths[:-1], strict=True):
        source = _query(cols, measures=[_measure(m)], filters=filters)
        cards.append(_kpi(f"Total {_short(m)}", _output(m), source, w))
    count = _query(cols, measures=[{"aggregate": "count"}], filters=filters)
    return [*cards, _kpi("Rows", "count", count, widths[-1])]


def _table(name: str, columns: list[str], source: dict[str, Any], w: int = 12, h: int = 6) -> _Card:
    return _Card(name, WidgetType.TABLE, {"columns": columns, "page_size": 25}, source, w, h)


@_template("kpi_summary", "KPI summary", _NUMBER, _Need(_DATE.label, _TEMPORAL, "adds a trend"))
def _kpi_summary(cols: _Columns) -> _Draft:
    """Totals of up to four number columns and the row count; with a date or datetime column,
    the first total by month."""
    rows = [_kpi_row(cols, [])]
    if cols.dates:
        m, d = cols.measures[0], cols.dates[0]
        source = _query(cols, measures=[_measure(m)], **_by_grain(d, "month"))
        config = {"x_axis": d, "y_axis": _output(m)}
        rows.append([_Card(f"Total {_short(m)} by month", WidgetType.LINE_CHART, config, source)])
    return _Draft("Summary", rows)


@_template("profile_detail", "Profile detail", _STRING, _NUMBER)
def _profile_detail(cols: _Columns) -> _Draft:
    """One entity at a time, chosen with a filter on the first string column: its totals, its
    row count and its rows."""
    entity = cols.strings[0]
    param = _param_name(entity)
    declaration = {"type": "string", "public": False, "field": entity, "operator": "eq"}
    selected = [{"field": entity, "operator": "eq", "parameter": param}]
    note = (
        f"Choose one {entity} with the “{param}” filter to see its figures and rows. "
        f"With none chosen, the cards cover every {entity}."
    )
    guide = _Card(f"{_short(entity)} profile", WidgetType.TEXT, {"content": note}, None, h=1)
    columns = list(cols.all[:TABLE_COLUMNS_MAX])
    latest = [{"field": cols.dates[0], "direction": "desc"}] if cols.dates else []
    source = _query(cols, columns=columns, filters=selected, sort=latest, limit=100)
    table = _table(f"{_short(entity)} rows", columns, source)
    return _Draft("Profile", [[guide], _kpi_row(cols, selected), [table]], {param: declaration})


@_template("time_series", "Time series", _DATE, _NUMBER)
def _time_series(cols: _Columns) -> _Draft:
    """Up to three number columns summed by month, the first also by week, and a table of the
    monthly totals."""
    d, measures = cols.dates[0], cols.measures[:3]
    outputs = [_output(m) for m in measures]
    sums = [_measure(m) for m in measures]
    monthly = _query(cols, measures=sums, **_by_grain(d, "month"))
    line_config = {"x_axis": d, "y_axis": outputs if len(outputs) > 1 else outputs[0]}
    title = f"Total {', '.join(_short(m) for m in measures)} by month"
    line = _Card(title, WidgetType.LINE_CHART, line_config, monthly)
    weekly = _query(cols, measures=sums[:1], **_by_grain(d, "week"))
    area_config = {"x_axis": d, "y_axis": outputs[0]}
    area_name = f"Total {_short(measures[0])} by week"
    area = _Card(area_name, WidgetType.AREA_CHART, area_config, weekly, 6)
    latest_first = _query(cols, measures=sums, **_by_grain(d, "month", "desc"))
    table = _table("Monthly totals", [d, *outputs], latest_first, w=6, h=5)
    return _Draft("Trends", [[line], [area, table]])


@_template("category_breakdown", "Category breakdown", _STRING, _NUMBER)
def _category_breakdown(cols: _Columns) -> _Draft:
    """A number column summed by category: the 20 largest, the share of the 8 largest and a
    top-10 table, with a filter on the categories."""
    c, m = cols.categories[0], cols.measures[0]
    param = _param_name(c)
    declaration = {"type": "string", "multiple": True, "field": c, "operator": "in"}
    chosen = [{"field": c, "operator": "in", "parameter": param}]

    def top(limit: int, measures: list[dict[str, Any]]) -> dict[str, Any]:
        sort = [{"field": _output(m), "direction": "desc"}]
        return _query(
            cols, dimensions=[c], measures=measures, filters=chosen, sort=sort, limit=limit
        )

    bar_name, bar_config = f"Total {_short(m)} by {_short(c)}", {"x_axis": c, "y_axis": _output(m)}
    bar = _Card(bar_name, WidgetType.BAR_CHART, bar_config, top(20, [_measure(m)]), 8)
    pie_config = {"label": c, "value": _output(m)}
    pie = _Card(f"Share of {_short(m)}", WidgetType.PIE_CHART, pie_config, top(8, [_measure(m)]), 4)
    others = cols.measures[1:3]
    specs = [_measure(m), *(_measure(o) for o in others), {"aggregate": "count"}]
    columns = [c, _output(m), *(_output(o) for o in others), "count"]
    table = _table(f"Top 10 {_short(c)} by {_short(m)}", columns, top(10, specs), h=5)
    return _Draft("Breakdown", [[bar, pie], [table]], {param: declaration})


@_template("data_table", "Data table", _ANY)
def _data_table(cols: _Columns) -> _Draft:
    """The dataset's rows as they are: its first 20 columns, up to 500 rows."""
    columns = list(cols.all[:20])
    source = _query(cols, columns=columns, limit=500)
    return _Draft("Data", [[_table("Rows", columns, source, h=8)]])


@_template("heatmap_overview", "Heatmap overview", _STRING, _DATE, _NUMBER)
def _heatmap_overview(cols: _Columns) -> _Draft:
    """A number column summed by category and month as a heatmap, with its total and the
    number of categories."""
    c, d, m = cols.categories[0], cols.dates[0], cols.measures[0]
    total = _kpi(f"Total {_short(m)}", _output(m), _query(cols, measures=[_measure(m)]), 6)
    distinct = _query(cols, measures=[_measure(c, "count_distinct")])
    categories = _kpi(f"Distinct {_short(c)} values", _output(c, "count_distinct"), distinct, 6)
    by_month = [{"column": d, "grain": "month"}]
    in_time = [{"field": d, "direction": "asc"}]
    source = _query(cols, dimensions=[c, *by_month], measures=[_measure(m)], sort=in_time)
    config = {"x_axis": d, "y_axis": c, "value": _output(m)}
    name = f"Total {_short(m)} by {_short(c)} and month"
    heatmap = _Card(name, WidgetType.HEATMAP, config, source, h=7)
    return _Draft("Overview", [[total, categories], [heatmap]])


TEMPLATES: tuple[TemplateInfo, ...] = tuple(t.info for t in _TEMPLATES.values())


def list_templates() -> list[TemplateInfo]:
    return list(TEMPLATES)


def _described(dataset: DatasetRecord, shown: int = 12) -> str:
    if not dataset.columns:
        return "has no columns"
    listed = ", ".join(f"{c.name} ({c.type.value})" for c in dataset.columns[:shown])
    more = len(dataset.columns) - shown
    return f"has only {listed}" + (f" and {more} more" if more > 0 else "")


def _require(template: _Template, dataset: DatasetRecord) -> None:
    types = {c.type for c in dataset.columns}
    missing = [n.label for n in template.needs if n.optional is None and not n.types & types]
    if not missing:
        return
    needed = " and ".join(missing)
    message = (
        f"template {template.info.name!r} ({template.info.id}) needs {needed}, but dataset "
        f"{dataset.name!r} {_described(dataset)}; choose a dataset with {needed}, or another "
        "template"
    )
    raise DomainError(Problem(ErrorCode.INVALID, message, ("dataset_id",)))


def _lay_out(rows: list[list[_Card]]) -> tuple[PlannedCard, ...]:
    """Rows top to bottom, cards left to right: nothing overlaps, nothing leaves the grid."""
    placed, y = [], 0
    for row in rows:
        x = 0
        for card in row:
            name = _fit(card.name, CARD_NAME_MAX)
            # Builders share filter lists between queries; each card gets its own copy.
            config, source = deepcopy({**card.config, "title": name}), deepcopy(card.data_source)
            position = Position(x, y, card.w, card.h)
            placed.append(PlannedCard(name, card.widget_type, config, source, position))
            x += card.w
        y += max(card.h for card in row)
    return tuple(placed)


def plan_dashboard(template_id: str, dataset: DatasetRecord) -> DashboardPlan:
    template = _TEMPLATES.get(template_id)
    if template is None:
        message = f"template {template_id!r} not found"
        problem = Problem(ErrorCode.NOT_FOUND, message, ("template_id",), resource="template")
        raise DomainError(problem)
    _require(template, dataset)
    draft = template.build(_columns(dataset))
    description = f"{template.info.description} Dataset: {dataset.name}."
    return DashboardPlan(
        description=_fit(description, DESCRIPTION_MAX),
        parameters=draft.parameters,
        pages=(draft.page,),
        cards=_lay_out(draft.rows),
    )
