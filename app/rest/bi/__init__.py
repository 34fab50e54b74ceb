"""The BI dialect of seed 003, under /api/v1/bi/dashboards: dashboards with visibility, tags
and filters (which are the dashboard's parameters), their widgets (cards on the 12-column
grid) and sharing. String ids, plain errors; the same domain code as every other dialect."""
