"""What generated widgets, cards and tenant data look like: widget templates (configs valid
for their type's schema, SQL over the tenant's `sales` table), the render dashboards' 20 cards
and the `sales` table itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Template:
    widget_type: str
    title: str
    config: dict[str, Any]
    sql: str | None  # over the tenant's `sales` table; None for a text tile


# What generated widgets and cards look like (configs valid for their type's schema).
TEMPLATES = [
    Template(
        "bar_chart",
        "Revenue by region",
        {"x_axis": "region", "y_axis": "revenue", "orientation": "vertical", "show_legend": True},
        "SELECT region, sum(amount) AS revenue FROM sales GROUP BY region ORDER BY revenue DESC",
    ),
    Template(
        "line_chart",
        "Orders per month",
        {"x_axis": "month", "y_axis": ["orders"], "smooth": True, "color_scheme": "blues"},
        "SELECT date_trunc('month', sold_at)::date AS month, count(*) AS orders FROM sales "
        "GROUP BY 1 ORDER BY 1",
    ),
    Template(
        "kpi_card",
        "Total revenue",
        {"metric": "revenue", "format": "currency", "target": 2500000, "trend": "up"},
        "SELECT sum(amount) AS revenue FROM sales",
    ),
    Template(
        "table",
        "Top products",
        {"columns": ["product", "units", "revenue"], "page_size": 25, "title": "Top products"},
        "SELECT product, sum(units) AS units, sum(amount) AS revenue FROM sales "
        "GROUP BY product ORDER BY revenue DESC LIMIT 25",
    ),
    Template(
        "pie_chart",
        "Orders by channel",
        {"label": "channel", "value": "orders", "donut": True, "show_legend": True},
        "SELECT channel, count(*) AS orders FROM sales GROUP BY channel",
    ),
    Template(
        "area_chart",
        "Units per week",
        {"x_axis": "week", "y_axis": ["units"], "stacked": False},
        "SELECT date_trunc('week', sold_at)::date AS week, sum(units) AS units FROM sales "
        "WHERE sold_at > current_date - 180 GROUP BY 1 ORDER BY 1",
    ),
    Template(
        "heatmap",
        "Revenue by weekday and region",
        {"x_axis": "weekday", "y_axis": "region", "value": "revenue"},
        "SELECT region, extract(isodow FROM sold_at)::int AS weekday, sum(amount) AS revenue "
        "FROM sales GROUP BY 1, 2",
    ),
    Template(
        "scatter_plot",
        "Customers: orders and revenue",
        {"x_axis": "orders", "y_axis": "revenue", "size": "units"},
        "SELECT customer, count(*) AS orders, sum(amount) AS revenue, sum(units) AS units "
        "FROM sales GROUP BY customer",
    ),
    Template(
        "text",
        "Notes",
        {"content": "Figures are in EUR and refreshed every five minutes. " * 3},
        None,
    ),
]

# The render dashboards' cards: 20 aggregates over `sales`, most over a recent window (an index
# on sold_at serves them), a few over every row; each returns rows.
RENDER_CARDS: list[tuple[str, str, str]] = [
    (
        "bar_chart",
        "Revenue by region (30 days)",
        "SELECT region, sum(amount) AS revenue FROM sales WHERE sold_at > current_date - 30 "
        "GROUP BY region ORDER BY revenue DESC",
    ),
    (
        "line_chart",
        "Orders per month",
        "SELECT date_trunc('month', sold_at)::date AS month, count(*) AS orders FROM sales "
        "WHERE sold_at > current_date - 180 GROUP BY 1 ORDER BY 1",
    ),
    (
        "kpi_card",
        "Revenue (90 days)",
        "SELECT sum(amount) AS revenue FROM sales WHERE sold_at > current_date - 90",
    ),
    (
        "table",
        "Top products (30 days)",
        "SELECT product, sum(units) AS units, sum(amount) AS revenue FROM sales "
        "WHERE sold_at > current_date - 30 GROUP BY product ORDER BY revenue DESC LIMIT 10",
    ),
    (
        "pie_chart",
        "Orders by channel (30 days)",
        "SELECT channel, count(*) AS orders FROM sales WHERE sold_at > current_date - 30 "
        "GROUP BY channel",
    ),
    (
        "area_chart",
        "Units per week",
        "SELECT date_trunc('week', sold_at)::date AS week, sum(units) AS units FROM sales "
        "WHERE sold_at > current_date - 90 GROUP BY 1 ORDER BY 1",
    ),
    (
        "heatmap",
        "Revenue by weekday and region",
        "SELECT region, extract(isodow FROM sold_at)::int AS weekday, sum(amount) AS revenue "
        "FROM sales WHERE sold_at > current_date - 30 GROUP BY 1, 2",
    ),
    (
        "kpi_card",
        "Active customers (30 days)",
        "SELECT count(DISTINCT customer) AS active_customers FROM sales "
        "WHERE sold_at > current_date - 30",
    ),
    (
        "bar_chart",
        "Average sale by region",
        "SELECT region, round(avg(amount), 2) AS average_sale FROM sales "
        "WHERE sold_at > current_date - 30 GROUP BY region",
    ),
    (
        "table",
        "Top customers (30 days)",
        "SELECT customer, count(*) AS orders, sum(amount) AS revenue FROM sales "
        "WHERE sold_at > current_date - 30 GROUP BY customer ORDER BY revenue DESC LIMIT 10",
    ),
    (
        "line_chart",
        "Daily revenue (30 days)",
        "SELECT sold_at AS day, sum(amount) AS revenue FROM sales "
        "WHERE sold_at > current_date - 30 GROUP BY sold_at ORDER BY sold_at",
    ),
    (
        "heatmap",
        "Revenue by region and month",
        "SELECT region, date_trunc('month', sold_at)::date AS month, sum(amount) AS revenue "
        "FROM sales WHERE sold_at > current_date - 90 GROUP BY 1, 2",
    ),
    ("kpi_card", "Sales", "SELECT count(*) AS sales FROM sales"),
    (
        "bar_chart",
        "Sales by region",
        "SELECT region, count(*) AS sales FROM sales GROUP BY region ORDER BY region",
    ),
    (
        "kpi_card",
        "Web share of revenue (30 days)",
        "SELECT round(100 * sum(amount) FILTER (WHERE channel = 'web') / sum(amount), 1) "
        "AS web_percent FROM sales WHERE sold_at > current_date - 30",
    ),
    (
        "kpi_card",
        "Median sale (30 days)",
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS median_sale FROM sales "
        "WHERE sold_at > current_date - 30",
    ),
    (
        "bar_chart",
        "Units by region and channel",
        "SELECT region, channel, sum(units) AS units FROM sales "
        "WHERE sold_at > current_date - 30 GROUP BY 1, 2 ORDER BY 1, 2",
    ),
    (
        "kpi_card",
        "Revenue, last 7 days",
        "SELECT sum(amount) FILTER (WHERE sold_at > current_date - 7) AS this_week, "
        "sum(amount) FILTER (WHERE sold_at <= current_date - 7) AS previous_week "
        "FROM sales WHERE sold_at > current_date - 14",
    ),
    (
        "line_chart",
        "Products sold per month",
        "SELECT date_trunc('month', sold_at)::date AS month, count(DISTINCT product) AS products "
        "FROM sales WHERE sold_at > current_date - 90 GROUP BY 1 ORDER BY 1",
    ),
    (
        "table",
        "Largest sales (30 days)",
        "SELECT sale_id, sold_at, customer, amount FROM sales WHERE sold_at > current_date - 30 "
        "ORDER BY amount DESC, sale_id LIMIT 20",
    ),
]

# Two years of sales, newest first in the table's order (as loaded day by day), spread over
# regions, channels, products and customers by arithmetic on the row number.
SALES_TABLE = """
CREATE TABLE {schema}.sales AS
SELECT n AS sale_id,
       (current_date - ((n - 1) * 730 / {rows}))::date AS sold_at,
       (ARRAY['EU', 'US', 'APAC', 'LATAM'])[1 + n % 4] AS region,
       (ARRAY['web', 'store', 'partner'])[1 + (n / 4) % 3] AS channel,
       (ARRAY['Widget', 'Gadget', 'Gizmo', 'Doohickey', 'Sprocket', 'Flange', 'Bracket',
              'Valve'])[1 + (n * 7) % 8] AS product,
       'customer-' || lpad((1 + (n * 13) % 2000)::text, 4, '0') AS customer,
       1 + (n * 5) % 9 AS units,
       round((19.5 + (n * 37) % 480 + (n % 7) * 0.25)::numeric, 2) AS amount
FROM generate_series(1, {rows}) AS n
"""
