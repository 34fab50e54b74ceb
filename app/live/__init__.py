"""Live updates: dashboard change notices heard through PostgreSQL LISTEN, fanned out to the
GraphQL subscribers of this process (docs/live-updates.md)."""

from app.live.updates import LiveUpdates

__all__ = ["LiveUpdates"]
