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
# Secrets that are path segments (panel/accounts/urls.py): the token of an invitation link
# (`/invitations/<token>/`, not the numeric ids under `/team/invitations/`) and of a password reset
# link (`/accounts/password/reset/<uidb64>/<token>/`, not Django's `set-password` step after it).
# A route pattern's placeholder (`/invitations/{token}/`, what error reports carry) is no secret.
SECRET_PATH = re.compile(
    r"(/invitations/|/password/reset/[^/\s?#\"']+/)(?!\d+/|set-password/|\{)[^/\s?#\"']+"
)


def mask_secret_paths(text: str) -> str:
    """`text` with the secret segments of invitation and password-reset links replaced by a marker.

    For whatever writes a path or a URL to a log: the request line, Django's 4xx lines, gunicorn's
    access log (`panel/core/gunicorn_conf.py`), a Referer header.
    """
    return SECRET_PATH.sub(lambda m: m.group(1) + REDACTED, text)


def redact_text(text: str) -> str:
    """Free text with inline secrets (`Bearer …`, `password=…`) and secret path segments masked."""
    return mask_secret_paths(INLINE_SECRET.sub(lambda m: m.group(1) + REDACTED, text))


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
        return redact_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    # Anything else is rendered by its repr (Django's 4xx lines carry `request=<WSGIRequest: GET
    # '/invitations/…'>`): redact that text instead.
    return redact_text(repr(value))


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: replace secret values by a marker, recursively, in keys and free text."""
    for key in list(event_dict):
        if key == "exc_info":  # rendered (then redacted as text) by format_exc_info or the console
            continue
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
