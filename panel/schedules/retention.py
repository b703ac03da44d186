"""Snapshot retention, "keep the last N": per server, the schedule's own snapshots beyond the newest N
are deleted, oldest first, on behalf of the schedule's owner (authorised again, audited).

Only snapshots this schedule made are ever counted or deleted: they are recorded here as its runs'
snapshot operations succeed (`ScheduleSnapshot`), so a snapshot someone took by hand, or another
schedule's, is never touched. While one of the schedule's snapshots of a server is still being
made (its run still pending or running there), nothing of that server is deleted.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction

from panel.actions import pipeline
from panel.actions.request import ActionRequest
from panel.actions.snapshots import SNAPSHOT_CREATE, SNAPSHOT_DELETE
from panel.bulk.models import BatchItem, ItemState
from panel.core.errors import PanelError
from panel.operations.models import ACTIVE_STATES, Operation, State

from . import runs
from .models import Schedule, ScheduleSnapshot, SnapshotState

__all__ = ["apply", "apply_all", "collect"]


def _items(schedule: Schedule) -> list[BatchItem]:
    parents = schedule.runs.exclude(operation=None).values_list("operation_id", flat=True)
    return list(BatchItem.objects.filter(parent_id__in=list(parents)).select_related("child"))


def collect(schedule: Schedule, items: list[BatchItem]) -> None:
    """Record the snapshots the schedule's finished runs made."""
    for item in items:
        child = item.child
        if child is None or child.kind != SNAPSHOT_CREATE.kind or child.state != State.SUCCEEDED:
            continue
        snapshot_id = (child.data or {}).get("snapshot_id")
        if snapshot_id is None:
            continue
        try:
            with transaction.atomic():
                ScheduleSnapshot.objects.get_or_create(
                    schedule=schedule,
                    server=item.target,
                    snapshot_id=int(snapshot_id),
                    defaults={
                        "made_by": child,
                        "made_at": child.finished_at or child.created_at,
                        "server_label": item.label[:255],
                    },
                )
        except IntegrityError:
            continue


def _follow_deletions(schedule: Schedule) -> None:
    for row in schedule.snapshots.filter(state=SnapshotState.DELETING).select_related("delete_operation"):
        op: Operation | None = row.delete_operation
        if op is None or op.state in ACTIVE_STATES:
            continue
        if op.state == State.SUCCEEDED:
            row.state, row.error = SnapshotState.DELETED, ""
        else:
            row.state, row.error = SnapshotState.DELETE_FAILED, (op.error or op.get_state_display())[:1000]
        row.save(update_fields=["state", "error"])


def apply(schedule: Schedule) -> list[ScheduleSnapshot]:
    """Start the deletions retention asks for now; returns the rows being deleted."""
    if not schedule.keep_last or schedule.action != SNAPSHOT_CREATE.name:
        return []
    items = _items(schedule)
    collect(schedule, items)
    _follow_deletions(schedule)
    if schedule.paused:
        return []
    busy = {
        item.target
        for item in items
        if item.state in (ItemState.PENDING, ItemState.RUNNING)
        or (item.child is not None and item.child.state in ACTIVE_STATES)
    }
    by_server: dict[str, list[ScheduleSnapshot]] = defaultdict(list)
    for row in schedule.snapshots.exclude(state__in=[SnapshotState.DELETED, SnapshotState.DELETE_FAILED]):
        by_server[row.server].append(row)
    actor = None
    started: list[ScheduleSnapshot] = []
    for server, rows in by_server.items():
        if server in busy:  # a newer one is being made: wait until it is there
            continue
        rows.sort(key=lambda r: (r.made_at, r.snapshot_id))
        for row in rows[: max(0, len(rows) - schedule.keep_last)]:
            if row.state == SnapshotState.DELETING:
                continue
            actor = actor or runs.owner_actor(schedule)
            if actor is None:
                who = schedule.owner_name or "Its owner"
                runs.pause(schedule, f"{who} is no longer a member of the team.")
                return started
            account = server.rpartition(":")[0]
            try:
                request = ActionRequest.create(
                    SNAPSHOT_DELETE,
                    actor=actor,
                    target=f"{account}:{row.snapshot_id}",
                    reason=f"Retention of schedule “{schedule.name}” (#{schedule.pk}): "
                    f"keep the last {schedule.keep_last}",
                )
                operation = pipeline.run(request).operation
            except pipeline.Refused as exc:
                if exc.code != "policy_refused":
                    why = f"{schedule.owner_name} may no longer delete its snapshots: {exc.message}"
                    runs.pause(schedule, why)
                    return started
                continue  # a guardrail holds deletions now; retention tries again on the next tick
            except pipeline.Pending:
                continue
            except PanelError as exc:
                row.state, row.error = SnapshotState.DELETE_FAILED, exc.message[:1000]
                row.save(update_fields=["state", "error"])
                continue
            row.state, row.delete_operation = SnapshotState.DELETING, operation
            row.save(update_fields=["state", "delete_operation"])
            started.append(row)
    return started


def apply_all() -> None:
    kept = Schedule.objects.filter(keep_last__isnull=False, action=SNAPSHOT_CREATE.name)
    for schedule in kept.select_related("owner"):
        try:
            apply(schedule)
        except PanelError as exc:  # one schedule's trouble never stops the others'
            runs.notify.problem(schedule, f"Retention could not run: {exc.message}")
