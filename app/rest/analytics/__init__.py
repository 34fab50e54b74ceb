"""The analytics dialect of seed 004, on /api/dashboards and /api/users."""
