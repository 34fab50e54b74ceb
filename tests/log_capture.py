"""The service's log output as LOG_FORMAT=json writes it, captured for a test."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.observability.logs import JsonLineFormatter, RequestContextFilter


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]

    def access_lines(self, request_id: str) -> list[dict[str, Any]]:
        return [
            line
            for line in self.lines()
            if line["logger"] == "app.access" and line.get("request_id") == request_id
        ]


@contextmanager
def capture_json_logs() -> Iterator[Captured]:
    """Every record from INFO up, through the service's JSON formatter and context filter;
    not those of the tests' own HTTP client (httpx logs every URL it calls)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
