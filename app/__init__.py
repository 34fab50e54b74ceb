"""Dashboards API: a GraphQL-first, multi-tenant service for analytical dashboards."""
