"""The sweep: operations whose worker died are made due again, or failed when hopeless.

A delivery refreshes the operation's heartbeat at every step and poll and holds it at most the
task's hard time limit; an operation that still holds a lease with a heartbeat older than
`OPERATIONS_STUCK_AFTER` (derived from `OPERATIONS_LEASE_SECONDS`) has no live worker. The sweep
sets its `wake_at` to now, keeping the dead lease (so the next delivery counts as a new attempt
and logs that it resumed); the dispatcher, which runs the sweep first, sends the task. Past
`OPERATIONS_MAX_ATTEMPTS` deliveries the operation is failed instead, so nothing loops forever.
Rows from before the dispatcher (no lease, nothing due) are made due the same way.
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
    """Make stuck operations due (resumed) or fail them; returns counts (`resumed`, `failed`)."""
    from .runner import end

    seconds = float(
        stuck_after if stuck_after is not None else getattr(settings, "OPERATIONS_STUCK_AFTER", 180)
    )
    max_attempts = int(getattr(settings, "OPERATIONS_MAX_ATTEMPTS", 5))
    now = timezone.now()
    cutoff = now - timedelta(seconds=seconds)
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    dead_lease = ~Q(lease="") & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff))
    forgotten = Q(lease="") & silent
    # Once made due, the dispatcher owns it (and sends again if a message is lost): not swept twice.
    stuck = Operation.objects.filter(state__in=ACTIVE_STATES, wake_at__isnull=True).filter(
        dead_lease | forgotten
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
        # Only if nobody refreshed it since we looked (no live worker). The lease is named dead, so
        # the delivery the dispatcher sends next takes over from it without waiting any longer.
        data = dict(op.data)
        if op.lease:
            data["dead_lease"] = op.lease
        resumed = Operation.objects.filter(
            pk=op.pk, heartbeat_at=op.heartbeat_at, lease=op.lease, state__in=ACTIVE_STATES
        ).update(wake_at=now, data=data)
        if not resumed:
            continue
        StepLog.objects.create(
            operation=op,
            level=StepLog.Level.WARNING,
            message="No worker was driving it; sent to a new worker.",
        )
        counts["resumed"] += 1
    if any(counts.values()):
        logger.info("operations.sweep", extra=counts)
    return counts
