"""Structured logging: structlog for our code and the standard library alike.

Every line carries the request id (bound with contextvars by `RequestIdMiddleware` or, in a worker,
by the task signals in `panel/core/signals.py`). A redaction processor runs last before rendering
so provider tokens, passwords and cookies never reach a log file, whoever logged them.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

import structlog

REDACTED = "[redacted]"
# Keys whose values are secrets wherever they appear (case-insensitive, substring match).
SENSITIVE_KEY = re.compile(
    r"token|secret|passw|authorization|api[_-]?key|cookie|session|csrf|fernet|encryption[_-]?key|otp",
    re.IGNORECASE,
)
# Keys that match the pattern above but are safe identifiers, not secrets.
SAFE_KEYS = frozenset({"token_id", "token_name", "token_label", "token_count", "otp_verified"})
# Secrets embedded in free text: "Bearer abc...", "token=abc...", "password: abc".
INLINE_SECRET = re.compile(
    r"(?i)(bearer\s+|(?:token|secret|password|passwd|api[_-]?key|authorization)\s*[=:]\s*)[^\s,;&\"']+"
)


def _redact_value(key: str, value: Any) -> Any:
    if key.lower() not in SAFE_KEYS and SENSITIVE_KEY.search(key):
        return REDACTED
    return _redact_nested(value)


def _redact_nested(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact_nested(v) for v in value)
    if isinstance(value, str):
        return INLINE_SECRET.sub(lambda m: m.group(1) + REDACTED, value)
    return value


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: replace secret values by a marker, recursively, in keys and free text."""
    for key in list(event_dict):
        if key == "event":
            event_dict[key] = _redact_nested(event_dict[key])
        else:
            event_dict[key] = _redact_value(key, event_dict[key])
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        structlog.processors.StackInfoRenderer(),
    ]


def build_logging_config(*, level: str = "INFO", fmt: str = "console") -> dict[str, Any]:
    """Return Django's LOGGING dict and configure structlog to feed into it.

    `fmt` is "json" (one JSON object per line, for production log collectors) or "console".
    """
    if fmt not in ("json", "console"):
        raise ValueError(f"LOG_FORMAT must be 'json' or 'console', not {fmt!r}")
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    final = [structlog.processors.format_exc_info] if fmt == "json" else []
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": _shared_processors(),
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *final,
                    redact_secrets,
                    renderer,
                ],
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Replace Django's default handlers (a plain console copy in DEBUG, mail_admins): every
            # line goes through the structured root handler once.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"level": "WARNING"},  # the request log below replaces runserver's
            "django.db.backends": {"level": "WARNING"},
        },
    }
