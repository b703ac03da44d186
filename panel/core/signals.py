"""Celery signal handlers that carry the request id from the web request into its tasks.

`before_task_publish` runs in the process that enqueues (web or worker): it copies the bound
request id into the message headers. `task_prerun` runs in the worker: it binds that id (or a
fresh one) so every log line of the task can be traced back to the click that caused it.
"""

from __future__ import annotations

from typing import Any

from celery import signals

from panel.core.request_id import (
    CELERY_HEADER,
    bind_request_id,
    clear_request_id,
    current_request_id,
    new_request_id,
)


@signals.before_task_publish.connect(weak=False, dispatch_uid="panel.core.request_id.publish")
def add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and not headers.get(CELERY_HEADER):
        headers[CELERY_HEADER] = request_id


@signals.task_prerun.connect(weak=False, dispatch_uid="panel.core.request_id.prerun")
def bind_task_request_id(task: Any = None, task_id: str | None = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, CELERY_HEADER, None) if request is not None else None
    if not request_id and request is not None:
        request_id = (getattr(request, "headers", None) or {}).get(CELERY_HEADER)
    bind_request_id(request_id or new_request_id(), task=getattr(task, "name", None), task_id=task_id)


@signals.task_postrun.connect(weak=False, dispatch_uid="panel.core.request_id.postrun")
def unbind_task_request_id(**_: Any) -> None:
    clear_request_id()


@signals.worker_ready.connect(weak=False, dispatch_uid="panel.core.heartbeat.ready")
def heartbeat_on_start(sender: Any = None, **_: Any) -> None:
    """Send a first heartbeat at once, so /healthz turns green without waiting for beat."""
    from panel.core.tasks import heartbeat

    heartbeat.apply_async(expires=60)
