"""Running a due schedule once: resolve its servers, start one batch on behalf of its owner.

Every run is authorised again (`panel.bulk.start_batch` asks the role and scope per server, the
policies once for the batch). When the owner may no longer do it (left the team, lost the role, a
server left their scope) the schedule pauses itself and says why; a refusal by a policy (a frozen
window) or a batch held for approval is that run's outcome and the schedule goes on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from panel.accounts.models import Membership
from panel.actions import pipeline
from panel.actions import registry as actions
from panel.actions.request import ActionRequest
from panel.bulk import batches
from panel.core.errors import NotFoundError, PanelError
from panel.services.context import Actor

from . import notify, targets, timing
from .models import RunOutcome, Schedule, ScheduleRun

__all__ = ["pause", "run_due", "run_schedule", "tick"]


def pause(schedule: Schedule, reason: str) -> None:
    schedule.paused, schedule.pause_reason = True, reason[:1000]
    schedule.save(update_fields=["paused", "pause_reason"])
    notify.problem(schedule, f"Paused: {reason}")


def owner_actor(schedule: Schedule) -> Actor | None:
    membership = (
        Membership.objects.select_related("team", "user")
        .filter(team_id=schedule.team_id, user_id=schedule.owner_id)
        .first()
        if schedule.owner_id
        else None
    )
    return Actor(membership) if membership is not None else None


def _input(schedule: Schedule, started: datetime) -> dict[str, Any]:
    data = dict(schedule.input or {})
    if schedule.action == "servers_snapshots_create" and not data.get("name"):
        when = started.astimezone(timing.zone(schedule.time_zone))
        data["name"] = f"{schedule.name[:70]} {when:%Y-%m-%d %H:%M}"
    return data


def _record(schedule: Schedule, due: datetime, started: datetime, missed: int, **fields: Any) -> ScheduleRun:
    return ScheduleRun.objects.create(
        schedule=schedule, due_at=due, started_at=started, missed=missed, **fields
    )


def run_schedule(schedule: Schedule, *, due: datetime, missed: int = 0) -> ScheduleRun:
    """One run of `schedule` for the slot `due`; the run row says what happened."""
    started = timing.now()
    actor = owner_actor(schedule)
    action = actions.get(schedule.action)
    if actor is None:
        reason = f"{schedule.owner_name or 'Its owner'} is no longer a member of the team."
        pause(schedule, reason)
        return _record(schedule, due, started, missed, outcome=RunOutcome.PAUSED, message=reason)
    if action is None or not action.schedulable:
        reason = f"The action “{schedule.action}” cannot run on a schedule."
        pause(schedule, reason)
        return _record(schedule, due, started, missed, outcome=RunOutcome.PAUSED, message=reason)
    why = f"By schedule “{schedule.name}” (#{schedule.pk}) on behalf of {schedule.owner_name}"
    try:
        servers = targets.resolve(schedule.target_kind, schedule.target_value, actor)
        if not servers:
            message = "No server matched the schedule's target; nothing ran."
            notify.problem(schedule, message)
            return _record(schedule, due, started, missed, outcome=RunOutcome.NO_SERVERS, message=message)
        data = _input(schedule, started)
        requests = [
            ActionRequest.create(action, actor=actor, target=server, data=data, reason=why)
            for server in servers
        ]
        parent = batches.start_batch(
            requests,
            idempotency_key=f"schedule:{schedule.pk}:{due.timestamp():.0f}",
            extra={"schedule": schedule.pk},
        )
    except pipeline.Pending as exc:
        return _record(
            schedule, due, started, missed, servers=len(servers),
            outcome=RunOutcome.WAITING_APPROVAL, message=exc.message,
        )  # fmt: skip
    except pipeline.Refused as exc:
        if exc.code == "policy_refused":  # a guardrail said no to this run; the schedule goes on
            notify.problem(schedule, f"Refused: {exc.message}")
            return _record(schedule, due, started, missed, outcome=RunOutcome.REFUSED, message=exc.message)
        reason = f"{schedule.owner_name} may no longer do this: {exc.message}"
        pause(schedule, reason)
        return _record(schedule, due, started, missed, outcome=RunOutcome.PAUSED, message=reason)
    except NotFoundError as exc:
        reason = f"{schedule.owner_name} may no longer reach a server of this schedule: {exc.message}"
        pause(schedule, reason)
        return _record(schedule, due, started, missed, outcome=RunOutcome.PAUSED, message=reason)
    except PanelError as exc:
        notify.problem(schedule, f"Could not start: {exc.message}")
        return _record(schedule, due, started, missed, outcome=RunOutcome.FAILED, message=exc.message)
    return _record(
        schedule, due, started, missed, servers=len(requests), outcome=RunOutcome.STARTED, operation=parent,
        message=f"{action.label} on {len(requests)} server{'s' if len(requests) != 1 else ''}.",
    )  # fmt: skip


def run_due(schedule_id: int, now: datetime) -> ScheduleRun | None:
    """Run one schedule if it is still due (a row lock: two beats never both run it).

    The next run is the first slot after now, so slots missed while the panel was down run once,
    not once each (`missed` says how many were folded into this run).
    """
    with transaction.atomic():
        schedule = (
            Schedule.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("owner")
            .filter(pk=schedule_id, paused=False, next_run_at__lte=now)
            .first()
        )
        if schedule is None or schedule.next_run_at is None:
            return None
        due = schedule.next_run_at
        try:
            following = timing.next_after(
                interval_minutes=schedule.interval_minutes,
                cron=schedule.cron,
                time_zone=schedule.time_zone,
                anchor=schedule.anchor,
                after=now,
            )
            latest = timing.slots_between(schedule, due, now)
        except PanelError as exc:  # a stored expression no longer readable: say so, stop trying
            pause(schedule, f"Its timing cannot be read: {exc.message}")
            return None
        schedule.last_run_at, schedule.next_run_at = now, following
        schedule.save(update_fields=["last_run_at", "next_run_at"])
        return run_schedule(schedule, due=due, missed=latest)


def tick(now: datetime | None = None) -> list[ScheduleRun]:
    """What beat calls: run every due schedule once, then apply snapshot retention."""
    from . import retention

    moment = now or timing.now()
    runs = []
    for schedule_id in Schedule.objects.filter(paused=False, next_run_at__lte=moment).values_list(
        "pk", flat=True
    ):
        run = run_due(schedule_id, moment)
        if run is not None:
            runs.append(run)
    retention.apply_all()
    return runs
