"""The request id: one string that ties together a request, its log lines and the tasks it enqueues.

Accepted from the proxy's header when it looks like an id (so a load balancer's id survives),
generated otherwise; bound in structlog's contextvars for the duration of the request or task.
"""

from __future__ import annotations

import re
import uuid

import structlog

VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
CELERY_HEADER = "request_id"


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(candidate: str | None) -> str:
    """Keep a well-formed incoming id; replace anything else (empty, too long, log-injection)."""
    if candidate and VALID_REQUEST_ID.match(candidate):
        return candidate
    return new_request_id()


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")


def bind_request_id(request_id: str, **extra: object) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id, **extra)


def clear_request_id() -> None:
    structlog.contextvars.clear_contextvars()
