"""How exports and imports report their progress (the CLI draws bars from it)."""

from __future__ import annotations

from collections.abc import Callable

# (phase, objects done, objects in the phase): "export", "validate", "write".
Progress = Callable[[str, int, int], None]


def no_progress(phase: str, done: int, total: int) -> None:
    """Reports nowhere."""
