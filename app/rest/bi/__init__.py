"""The BI dialect of seed 003, under /api/v1/bi/dashboards."""
