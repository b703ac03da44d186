"""The panel's own counters and histograms (Prometheus), and the few calls that move them.

Every label has a small, known set of values: URL names, HTTP methods and statuses, VPSBG
operationIds, token kinds, operation kinds and states, audit actions and outcomes. None carries a
secret, a hostname, an e-mail, an id or a free text, so the number of series stays bounded.

Counters and histograms are written where things happen, in whichever process that is (gunicorn
workers, Celery workers). With `PROMETHEUS_MULTIPROC_DIR` set, prometheus-client keeps each
process's values in a small file of that folder and `/metrics` adds them up, so the web process
shows the workers' series too. Gauges of the present state (operations waiting, queue depth,
heartbeat age) are not kept here: `panel.core.metrics_live` reads them at scrape time from the
database and the broker (why: docs/monitoring.md).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from prometheus_client import values
from prometheus_client.metrics import Counter, Histogram

__all__ = [
    "MULTIPROC_DIR",
    "RequestMetricsMiddleware",
    "audit_event_recorded",
    "clear_multiproc_dir",
    "operation_ended",
    "token_checked",
    "vpsbg_call_hook",
]

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
_HOST = socket.gethostname()


def process_identifier_of(pid: int) -> str:
    """Names a process's value files: host and pid, since containers sharing the folder reuse pids."""
    return f"{_HOST}_{pid}"


def process_identifier() -> str:
    return process_identifier_of(os.getpid())


def clear_multiproc_dir(path: str = MULTIPROC_DIR) -> int:
    """Delete the value files of earlier runs; run once before any panel process starts. Returns a count.

    The folder itself stays (it may be a volume's mount point).
    """
    if not path or not os.path.isdir(path):
        return 0
    names = [name for name in os.listdir(path) if name.endswith(".db")]
    for name in names:
        os.remove(os.path.join(path, name))
    return len(names)


if MULTIPROC_DIR:
    os.makedirs(MULTIPROC_DIR, exist_ok=True)
    # Before any series is created: each one takes the value class current at its creation.
    values.ValueClass = values.MultiProcessValue(process_identifier=process_identifier)

HTTP_REQUEST_SECONDS = Histogram(
    "panel_http_request_duration_seconds",
    "Panel requests by URL name, method and status, with their duration.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
VPSBG_CALL_SECONDS = Histogram(
    "panel_vpsbg_request_duration_seconds",
    "Calls to the VPSBG API by operationId, last HTTP status and token kind, retries included.",
    ["operation_id", "status", "token_kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
VPSBG_RETRIES = Counter(
    "panel_vpsbg_retries",
    "Extra attempts the VPSBG client made after a first failed try (GETs; writes only when unsent).",
    ["operation_id", "token_kind"],
)
VPSBG_RATE_LIMITED = Counter(
    "panel_vpsbg_rate_limited",
    "VPSBG calls that ended with 429 Too Many Requests.",
    ["operation_id", "token_kind"],
)
OPERATION_SECONDS = Histogram(
    "panel_operation_duration_seconds",
    "Long operations that ended, by kind and end state: seconds from request to end.",
    ["kind", "state"],
    buckets=(5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0, 21600.0),
)
TOKEN_CHECKS = Counter(
    "panel_token_checks",
    "Checks of stored VPSBG tokens with VPSBG, by result (ok, revoked, failing).",
    ["result"],
)
AUDIT_EVENTS = Counter(
    "panel_audit_events",
    "Audit events written, by action (an operationId or a panel action) and outcome.",
    ["action", "outcome"],
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


# -- panel requests -------------------------------------------------------------------------------
def view_label(request: Any) -> str:
    """The URL name of the request (`web:servers`), never its path (paths hold ids and hostnames)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or "unnamed"
    static = settings.STATIC_URL or "/static/"
    return "static" if request.path.startswith(static) else "unmatched"


class RequestMetricsMiddleware:
    """Times every request and counts it by URL name, method and status (placed near the top)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        HTTP_REQUEST_SECONDS.labels(view_label(request), method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response


# -- VPSBG calls ----------------------------------------------------------------------------------
class CallEventLike(Protocol):
    """What `vpsbg_api.CallEvent` offers (panel.core does not import the client)."""

    @property
    def operation_id(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def attempts(self) -> int: ...


def vpsbg_call_hook(token_kind: str) -> Callable[[CallEventLike], None]:
    """The `hook=` of a VPSBG client built for one token: `read_only`, `read_write` or `check`.

    The client calls it once per call, after any retries, with an event that holds no token.
    """

    def hook(event: CallEventLike) -> None:
        status = str(event.status) if event.status is not None else "no_answer"
        VPSBG_CALL_SECONDS.labels(event.operation_id, status, token_kind).observe(event.duration_s)
        if event.attempts > 1:
            VPSBG_RETRIES.labels(event.operation_id, token_kind).inc(event.attempts - 1)
        if event.status == 429:
            VPSBG_RATE_LIMITED.labels(event.operation_id, token_kind).inc()

    return hook


# -- operations, tokens, audit --------------------------------------------------------------------
def operation_ended(kind: str, state: str, created_at: datetime | None, finished_at: datetime | None) -> None:
    """One operation reached an end state (called once, by `panel.operations.runner.end`)."""
    seconds = (finished_at - created_at).total_seconds() if created_at and finished_at else 0.0
    OPERATION_SECONDS.labels(kind, state).observe(max(seconds, 0.0))


def token_checked(result: str) -> None:
    """A stored token was checked with VPSBG (periodic check, "Check now", after a 401)."""
    TOKEN_CHECKS.labels(result).inc()


def audit_event_recorded(action: str, outcome: str) -> None:
    """An audit event was committed."""
    AUDIT_EVENTS.labels(action, outcome).inc()
