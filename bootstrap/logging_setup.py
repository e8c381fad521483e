"""structlog set-up: console lines in development, JSON lines in production; secrets redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET_KEYS = ("access_token", "api_secret", "request_token", "checksum", "secret", "password", "token")
_REDACT_QUERY = re.compile(r"(request_token|access_token|checksum|api_secret)=[^&\s]+")


def _redact(_: object, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if any(s == key or key.endswith("_" + s) for s in _SECRET_KEYS):
            event_dict[key] = "***"
        elif isinstance(event_dict[key], str) and "=" in event_dict[key]:
            event_dict[key] = _REDACT_QUERY.sub(r"\1=***", event_dict[key])
    return event_dict


def configure_logging(production: bool, level: int = logging.INFO) -> None:
    renderer = structlog.processors.JSONRenderer() if production else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    # Keep chatty libraries (urllib3 logs full URLs) from echoing anything sensitive.
    for name in ("urllib3", "kiteconnect", "gunicorn.error"):
        logging.getLogger(name).setLevel(logging.WARNING)
