"""The dispatcher: the one sender of operation tasks after the first, run by beat every poll interval
and by each worker as it starts.

The `Operation` row is the outbox. An active operation with `wake_at` in the past and no lease
needs a task: it was just created and the broker did not take its first message, or it parked to
wait for VPSBG, or the sweep found its worker dead. The dispatcher records a fresh task id on the
row (only if nobody changed `wake_at` since it looked, so two dispatchers never both send), then
sends the task; the runner accepts only the message carrying the recorded id. If the broker
refuses, `wake_at` goes back to now and the next run sends it. A sent message that is lost is sent
again after `OPERATIONS_RESEND_AFTER`. Due operations that wait for a server to unlock are first
checked with one read per VPSBG account (`poller.py`): those still locked stay parked, no task;
those whose last step was that wait are finished there, no task either.

It runs in the beat process (`beat.py`: a thread, every `OPERATIONS_POLL_SECONDS`), so resuming
the operations of a dead worker depends on no worker, and at each worker's start.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import poller, sweeper
from .models import ACTIVE_STATES, Operation

__all__ = ["dispatch", "send", "worker_started"]

logger = logging.getLogger(__name__)

BATCH = 1000  # operations sent per run at most; the next run sends the rest


def resend_at():  # type: ignore[no-untyped-def]
    """When a sent task that no worker claimed is sent again (the message may be lost). Longer than
    any delivery may run, so a long queue is not answered with a second copy of every message."""
    return timezone.now() + timedelta(seconds=float(getattr(settings, "OPERATIONS_RESEND_AFTER", 180)))


def send(op_id: int, task_id: str) -> bool:
    """Hand one task to the broker; False (logged) when the broker cannot take it now."""
    from .tasks import run_operation

    try:
        run_operation.apply_async(args=[op_id], task_id=task_id)
    except Exception as exc:  # the broker is down or read-only: the row stays due, sent later
        logger.warning("operations.enqueue_failed", extra={"operation": op_id, "error": type(exc).__name__})
        return False
    return True


def _due(now):  # type: ignore[no-untyped-def]
    return (
        Operation.objects.filter(state__in=ACTIVE_STATES, wake_at__lte=now)
        .order_by("wake_at")
        .values_list("pk", "wake_at")[:BATCH]
    )


def dispatch(*, stuck_after: float | None = None) -> dict[str, int]:
    """Resume dead workers' operations, then send a task for each due one. Returns counts."""
    counts = sweeper.sweep(stuck_after=stuck_after)
    counts["sent"] = 0
    now = timezone.now()
    due = list(_due(now))
    held, polled = poller.poll(due, now) if due else (set(), {"held": 0, "advanced": 0, "lists": 0})
    counts.update(polled)  # held: their server is still busy at VPSBG; advanced: finished here
    for pk, wake_at in due:
        if pk in held:
            continue
        task_id = uuid.uuid4().hex
        claimed = Operation.objects.filter(pk=pk, wake_at=wake_at, state__in=ACTIVE_STATES).update(
            task_id=task_id, wake_at=resend_at()
        )
        if not claimed:
            continue  # another dispatcher (or a delivery) got there first
        if not send(pk, task_id):
            Operation.objects.filter(pk=pk, task_id=task_id).update(wake_at=now)
            counts["unsent"] = counts.get("unsent", 0) + 1
            break  # the broker is down: the next run tries again
        counts["sent"] += 1
    if counts["sent"] or counts.get("unsent") or counts["resumed"] or counts["failed"] or counts["advanced"]:
        logger.info("operations.dispatch", extra=counts)
    return counts


def worker_started(worker: str) -> dict[str, int]:
    """A worker (re)started: the deliveries its earlier life held are dead, so they are resumed now,
    not after the stuck timeout; then everything due is sent."""
    if worker:
        Operation.objects.filter(
            Q(state__in=ACTIVE_STATES), ~Q(lease=""), worker=worker, wake_at__isnull=True
        ).update(heartbeat_at=None)
    return dispatch()
