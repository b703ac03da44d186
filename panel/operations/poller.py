"""The account poller: one read of VPSBG per account for all of its parked operations waiting on a
server, instead of one delivery (and one read) per operation per poll interval.

A step marked `polls="server"` waits only while its target server is locked (busy with an action).
When such operations are due, the dispatcher asks here first: one `servers_list` per VPSBG account
(through the member who started one of them, re-checked as the runner does) tells each server's
state. Then, per operation:
- its server is still locked: it stays parked for another poll interval (progress estimate and
  heartbeat refreshed), with no task and no read of its own;
- its server is unlocked and the waiting step is the operation's last (the wait for a reinstall
  to end): the poller finishes it here (`runner.run_listed`): it claims the parked row, runs the
  step on the server as listed (a fresh read, taken a moment ago) and ends the operation, with
  no task and no further call. The step never writes to VPSBG, so nothing is decided from a copy;
- anything else (a step with more steps after it, a server not listed, a deadline passed, a
  cancel asked for, a list that could not be read) gets its task as before, and the runner reads
  VPSBG itself before it acts.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from panel.core.errors import PanelError
from panel.services import execution, servers
from panel.services.context import Actor

from .models import Operation, State

__all__ = ["poll"]

logger = logging.getLogger(__name__)

PAGES = 40  # at most 2,000 servers read per account and poll


def _listed_servers(actor: Actor, account: str) -> dict[str, Any] | None:
    """The account's servers as VPSBG lists them now, by id (None: could not tell)."""
    fresh = execution.FRESH_READS.set(True)  # decide from what VPSBG says now, not a cached page
    try:
        found: dict[str, Any] = {}
        for page in range(1, PAGES + 1):
            result = servers.servers_list(actor=actor, page=page, per_page=50, account=account)
            found.update({str(item.id): item for item in result.items})
            if not result.has_next:
                return found
    except PanelError as exc:
        logger.info("operations.poll_failed", extra={"account": account, "error": type(exc).__name__})
    finally:
        execution.FRESH_READS.reset(fresh)
    return None


def _actor(op: Operation, action: str, known: dict[tuple[int, int | None, str], Any]) -> Actor | None:
    """The member who started `op`, re-checked (the role once per poll, the server scope for this
    operation); None when no longer allowed: the task is sent and the runner says why it stops."""
    from .runner import StepFailed, member_for, rebuild_actor

    key = (op.team_id, op.actor_id, action)
    try:
        if key not in known:
            known[key] = member_for(op, action)
        return rebuild_actor(op, action, membership=known[key]) if known[key] is not None else None
    except StepFailed:
        known.setdefault(key, None)
        return None


def poll(due: list[tuple[int, datetime]], now: datetime) -> tuple[set[int], dict[str, int]]:
    """Hold or finish the due operations that wait for their server; returns the ids the dispatcher
    must not send (held, or finished here) and counts (`held`, `advanced`, `lists`)."""
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
    poll_seconds = float(getattr(settings, "OPERATIONS_POLL_SECONDS", 5.0))
    done: set[int] = set()
    counts = {"held": 0, "advanced": 0, "lists": 0}
    members: dict[tuple[int, int | None, str], Any] = {}
    for account, ops in by_account.items():
        reader = _actor(ops[0], "servers_list", members)
        listed = _listed_servers(reader, account) if reader is not None else None
        counts["lists"] += 1 if reader is not None else 0
        if listed is None:
            continue
        for op in ops:
            server = listed.get(op.target_id.rpartition(":")[2])
            if server is None:
                continue  # not listed (gone, or beyond the pages read): the runner reads it itself
            kind = KINDS.get(op.kind)
            steps = kind.steps if kind is not None else ()
            index = int(op.data.get("step_index", 0))
            if server.locked:
                progress = runner.estimate(op, steps, index) if index < len(steps) else op.progress
                # Due again before the dispatcher's next run (one poll interval from this one's
                # start), never just after it: that would skip a whole interval.
                again = poll_seconds / 2
                op.data["due"] = time.time() + again
                kept = Operation.objects.filter(pk=op.pk, wake_at=wake[op.pk], lease="").update(
                    wake_at=now + timedelta(seconds=again),
                    heartbeat_at=now,
                    progress=progress,
                    data=op.data,
                )
                if kept:
                    done.add(op.pk)
                    counts["held"] += 1
                continue
            if kind is None or index != len(steps) - 1 or not steps[index].polls:
                continue  # more steps to run: a worker runs them
            actor = _actor(op, kind.action, members)
            if actor is None:
                continue
            if runner.run_listed(op.pk, wake[op.pk], {op.target_id: server}, actor=actor) is not None:
                done.add(op.pk)
                counts["advanced"] += 1
    return done, counts
