"""structlog, configured once: JSON lines for machines, the console renderer on a terminal.

One line per processed message with its outcome; payloads and addresses are never logged.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson
import structlog


def _json_line(event: dict[str, Any], **_: Any) -> str:
    # orjson: a worker writes a line per partner message, and the standard library's encoder
    # was half of what a line cost. Values it cannot encode are written as their str().
    return orjson.dumps(event, default=str).decode()


def configure_logging(fmt: str = "json", level: str = "INFO") -> None:
    renderer = structlog.processors.JSONRenderer(serializer=_json_line) if fmt == "json" else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )


log = structlog.get_logger("hub")
