"""Log lines: JSON objects (LOG_FORMAT=json, the default in production) or text, on stderr.
Every line written while a request is served carries its request id, tenant, user and trace
id. Secrets are cut out of every formatted line, whatever logged them: bearer tokens, JWTs,
passwords in URLs and `password=`/`token:`-style pairs."""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any, NamedTuple

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from app.observability.request_info import current_request
from app.settings import Settings

REDACTED = "[REDACTED]"


class _Secret(NamedTuple):
    # A line holding none of these (lower-cased) is not searched: most lines hold none.
    triggers: tuple[str, ...]
    pattern: re.Pattern[str]
    replacement: str


_SECRETS = (
    # Authorization header values.
    _Secret(
        ("bearer", "basic"),
        re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+"),
        rf"\1\2{REDACTED}",
    ),
    # JWTs wherever they appear (header.payload.signature; the header is base64url JSON).
    _Secret(
        ("eyj",),
        re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),
        REDACTED,
    ),
    # scheme://user:password@host
    _Secret(
        ("://",),
        re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/?#@\s\"']*):[^@\s\"']*@"),
        rf"\1:{REDACTED}@",
    ),
    # password=..., "token": "...", secret: ..., in text, dict reprs and JSON alike.
    _Secret(
        ("password", "passwd", "pwd", "secret", "token", "key", "authorization"),
        re.compile(
            r"(?i)(password|passwd|pwd|secret|token|api[_-]?key|authorization)"
            r"(\\?[\"']?\s*[:=]\s*\\?[\"']?)(?!\[REDACTED\]|(?:bearer|basic)\s)"
            r"[^\s\"'\\,;&})\]]+"
        ),
        rf"\1\2{REDACTED}",
    ),
)


def redact(text: str) -> str:
    lowered = text.lower()
    for secret in _SECRETS:
        if any(trigger in lowered for trigger in secret.triggers):
            text = secret.pattern.sub(secret.replacement, text)
    return text


class RequestContextFilter(logging.Filter):
    """Adds the request's id, tenant, user and trace id (when known) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = current_request()
        record.request_id = info.request_id if info is not None else "-"
        if info is not None:
            for field in ("tenant", "user", "trace_id"):
                value = getattr(info, field)
                if value is not None:
                    setattr(record, field, value)
        return True


class JsonLineFormatter(JsonFormatter):
    """One JSON object a line: timestamp, level, logger, message, then the record's extras."""

    def __init__(self) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            # uvicorn repeats its messages with terminal colours in `color_message`.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
            timestamp=True,
        )

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class TextLineFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            defaults={"request_id": "-"},
        )

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def logging_config(settings: Settings) -> dict[str, Any]:
    """A dictConfig: for the CLI, and for uvicorn, which applies it in every worker."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContextFilter}},
        "formatters": {
            "json": {"()": JsonLineFormatter},
            "text": {"()": TextLineFormatter},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format(settings),
                "filters": ["request"],
            }
        },
        "root": {"level": settings.log_level, "handlers": ["stderr"]},
        "loggers": {
            # uvicorn's own handlers would bypass the format: its lines go through the root's.
            **{
                name: {"handlers": [], "propagate": True}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
            },
            # Alembic's plugin set-up and pgserver's commands are noise at INFO on every start.
            **{name: {"level": "WARNING"} for name in ("alembic.runtime.plugins", "pgserver")},
        },
    }


def log_format(settings: Settings) -> str:
    if settings.log_format != "auto":
        return settings.log_format
    return "json" if settings.environment == "production" else "text"


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))
