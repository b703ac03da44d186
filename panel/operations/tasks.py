"""Celery tasks of long operations. `run_operation` goes to the `operations` queue; the webhook is
sent to `default` explicitly, so it never waits behind long work. The dispatcher runs in the beat
process (`beat.py`) and at each worker's start; its task is kept for a schedule saved before.

`run_operation`'s time limits derive from `OPERATIONS_LEASE_SECONDS`: a delivery only calls VPSBG
(it parks the operation instead of waiting), so a delivery past its lease is stopped and the
operation goes on in a new one. Tasks take only ids: a secret never enters the broker.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import beat_init, worker_init, worker_ready
from django.conf import settings

from . import dispatch as dispatcher
from . import runner


@shared_task(
    bind=True,
    name="panel.operations.tasks.run_operation",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=settings.OPERATIONS_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.OPERATIONS_TASK_TIME_LIMIT,
)
def run_operation(self, operation_id: int) -> str | None:  # type: ignore[no-untyped-def]
    return runner.run(int(operation_id), task_id=self.request.id or "", worker=self.request.hostname or "")


@shared_task(name="panel.operations.tasks.dispatch", ignore_result=True, acks_late=False)
def dispatch() -> dict[str, int]:
    return dispatcher.dispatch()


# The name the periodic sweep had before the dispatcher; kept so a schedule saved then still runs.
@shared_task(name="panel.operations.tasks.sweep_stuck", ignore_result=True, acks_late=False)
def sweep_stuck() -> dict[str, int]:
    return dispatcher.dispatch()


@worker_init.connect
def _on_worker_init(**_kwargs) -> None:  # type: ignore[no-untyped-def]
    """Deliveries in this worker (and its pool's processes) keep their heartbeat fresh."""
    runner.keepalive.enable()


@worker_ready.connect
def _on_worker_ready(sender=None, **_kwargs) -> None:  # type: ignore[no-untyped-def]
    """A worker that comes back resumes what its earlier life held and sends what is due, at once."""
    dispatcher.worker_started(getattr(sender, "hostname", "") or "")


@beat_init.connect
def _on_beat_init(sender=None, **_kwargs) -> None:  # type: ignore[no-untyped-def]
    """Beat runs the dispatcher: the sweep that rescues a dead worker's operations needs no worker."""
    from .beat import start_in_beat

    start_in_beat(sender)


@shared_task(name="panel.operations.tasks.post_webhook", ignore_result=True)
def post_webhook(operation_id: int) -> int | None:
    from .models import Operation
    from .notify import post

    op = Operation.objects.select_related("team").filter(pk=operation_id).first()
    return post(op) if op is not None else None
