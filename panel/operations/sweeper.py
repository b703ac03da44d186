"""The periodic sweep: operations that stopped moving are re-enqueued, or failed when hopeless.

An active operation whose heartbeat is older than `OPERATIONS_STUCK_AFTER` seconds (or that was
queued that long ago and never started) has no live worker: its worker died and the broker has
not (yet) redelivered the message. The sweep releases its lease and sends a fresh task, which
resumes at the step where the dead one stopped; past `OPERATIONS_MAX_ATTEMPTS` deliveries the
operation is failed instead, so nothing loops forever.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import ACTIVE_STATES, Operation, State, StepLog

logger = logging.getLogger(__name__)


def sweep(*, stuck_after: float | None = None) -> dict[str, int]:
    """Resume or fail stuck operations; returns counts (`resumed`, `failed`)."""
    from .runner import end
    from .services import enqueue

    seconds = float(
        stuck_after if stuck_after is not None else getattr(settings, "OPERATIONS_STUCK_AFTER", 600)
    )
    max_attempts = int(getattr(settings, "OPERATIONS_MAX_ATTEMPTS", 5))
    cutoff = timezone.now() - timedelta(seconds=seconds)
    stuck = Operation.objects.filter(state__in=ACTIVE_STATES).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    counts = {"resumed": 0, "failed": 0}
    for op in stuck:
        if op.attempts >= max_attempts:
            if end(
                op,
                State.FAILED,
                error=f"Stopped: no worker finished it after {op.attempts} deliveries; "
                "check the workers, then start it again.",
            ):
                counts["failed"] += 1
            continue
        # Release the lease only if nobody refreshed it since we looked (no live worker).
        released = Operation.objects.filter(
            pk=op.pk, heartbeat_at=op.heartbeat_at, state__in=ACTIVE_STATES
        ).update(lease="")
        if not released:
            continue
        StepLog.objects.create(
            operation=op,
            level=StepLog.Level.WARNING,
            message="No worker was driving it; sent to a new worker.",
        )
        enqueue(op)
        counts["resumed"] += 1
    if any(counts.values()):
        logger.info("operations.sweep", extra=counts)
    return counts
