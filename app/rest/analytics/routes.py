"""The route table of the seed-004 dialect (the routes it shares with seed 002 are
dispatched in app/rest/shared.py)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
