"""The dashboard-editing dialect of seed 002 under /api/dashboards/...: collections,
dashboards, cards, layout, pages and shares, with ETag/If-Match versions. Errors are
`{"error": "<name>", "message", "field"}` with the seed's names (`dashboard_not_found`,
`permission_denied`, `card_position_conflict`, `invalid_card_config`, ...)."""
