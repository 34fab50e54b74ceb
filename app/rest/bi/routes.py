"""The route table of the seed-003 dialect."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
