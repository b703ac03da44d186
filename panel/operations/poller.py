"""The account poller: one read of VPSBG per account for all of its parked operations waiting on a
server, instead of one delivery (and one read) per operation per poll interval.

A step marked `polls="server"` waits only while its target server is locked (busy with an action).
When such operations are due, the dispatcher asks here first: one `servers_list` per VPSBG account
(through the member who started one of them, re-checked as the runner does) tells which servers
are still locked; those operations stay parked for another poll interval (their progress estimate
and heartbeat refreshed) and get no task. Every other due operation gets its task as before, and
so does one whose step deadline has passed or whose cancel was asked for, so deadlines and cancels
are still the runner's. The poller only ever delays a delivery: the runner reads VPSBG again
before it acts, so a wrong or stale list costs one interval, never a wrong step. When the list
cannot be read (VPSBG unavailable, the member gone), the operations get their tasks as before.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings

from panel.core.errors import PanelError
from panel.services import execution, servers

from .models import Operation, State

__all__ = ["hold_locked"]

logger = logging.getLogger(__name__)

PAGES = 40  # at most 2,000 servers read per account and poll


def _locked_servers(op: Operation) -> set[str] | None:
    """Ids of the account's servers VPSBG shows locked now (None: could not tell)."""
    from .runner import StepFailed, rebuild_actor

    fresh = execution.FRESH_READS.set(True)  # decide from what VPSBG says now, not a cached page
    try:
        actor = rebuild_actor(op, "servers_list")
        locked: set[str] = set()
        for page in range(1, PAGES + 1):
            result = servers.servers_list(actor=actor, page=page, per_page=50, account=op.account_id)
            locked.update(str(item.id) for item in result.items if item.locked)
            if not result.has_next:
                return locked
    except (StepFailed, PanelError) as exc:
        logger.info("operations.poll_failed", extra={"account": op.account_id, "error": type(exc).__name__})
    finally:
        execution.FRESH_READS.reset(fresh)
    return None


def hold_locked(due: list[tuple[int, datetime]], now: datetime) -> set[int]:
    """Keep parked the due operations whose server is still locked; returns their ids."""
    from . import runner
    from .kinds.registry import KINDS

    ids = [pk for pk, _ in due]
    rows = Operation.objects.filter(
        pk__in=ids, state=State.WAITING, lease="", cancel_requested=False, data__waits_on="server"
    )
    wake = dict(due)
    by_account: dict[str, list[Operation]] = defaultdict(list)
    for op in rows:
        if float(op.data.get("deadline_at") or 0) > runner.clock() and op.account_id:
            by_account[op.account_id].append(op)
    poll = float(getattr(settings, "OPERATIONS_POLL_SECONDS", 5.0))
    held: set[int] = set()
    for ops in by_account.values():
        locked = _locked_servers(ops[0])
        if locked is None:
            continue
        for op in ops:
            if op.target_id.rpartition(":")[2] not in locked:
                continue
            steps = KINDS[op.kind].steps if op.kind in KINDS else ()
            index = int(op.data.get("step_index", 0))
            progress = runner.estimate(op, steps, index) if index < len(steps) else op.progress
            op.data["due"] = time.time() + poll
            kept = Operation.objects.filter(pk=op.pk, wake_at=wake[op.pk], lease="").update(
                wake_at=now + timedelta(seconds=poll), heartbeat_at=now, progress=progress, data=op.data
            )
            if kept:
                held.add(op.pk)
    return held
