"""Creating, pausing, resuming and deleting schedules: the one place their rules live (web and API
are thin adapters). Every change is audited; every run is authorised again when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from panel.accounts.permissions import ActionDenied, require
from panel.actions import pipeline
from panel.actions import registry as actions
from panel.actions.base import Action
from panel.actions.fields import errors_by_field
from panel.actions.snapshots import SNAPSHOT_CREATE, SNAPSHOT_DELETE
from panel.audit import recorder as audit
from panel.audit.recorder import actor_name_for
from panel.bulk.selection import clean_filter, describe_filter
from panel.core.errors import InvalidInput, NotAllowed, NotFoundError
from panel.services.context import Actor, as_actor, parse_server_ref
from panel.services.execution import known_hostname

from . import timing
from .models import Schedule, TargetKind

__all__ = [
    "INTERVAL_MAX",
    "INTERVAL_MIN",
    "KEEP_MAX",
    "ScheduleSpec",
    "create",
    "delete",
    "describe_target",
    "describe_timing",
    "resume",
    "schedulable_actions",
    "set_paused",
]

INTERVAL_MIN, INTERVAL_MAX = 5, 366 * 24 * 60  # minutes
KEEP_MAX = 50
LABEL_MAX = 40


@dataclass(frozen=True)
class ScheduleSpec:
    """What a new schedule says, as the page and the API hand it over (checked by `create`)."""

    name: str
    action: str
    target_kind: str
    target_value: str
    input: dict[str, Any]
    interval_minutes: int | None = None
    cron: str = ""
    time_zone: str = "UTC"
    keep_last: int | None = None


def schedulable_actions(actor: Any = None) -> list[Action]:
    """The actions a schedule may run (those this member may do, when one is given)."""
    found = [a for a in actions.load_all().values() if a.schedulable]
    if actor is not None:
        membership = as_actor(actor).membership
        found = [a for a in found if _may(membership, a.name)]
    return sorted(found, key=lambda a: a.label)


def _may(membership: Any, name: str) -> bool:
    try:
        require(membership, name)
    except ActionDenied:
        return False
    return True


def _require(actor: Actor, name: str) -> None:
    try:
        require(actor.membership, name)
    except ActionDenied as exc:
        audit.record(
            actor=actor.user, api_token_label=actor.api_token_label, team=actor.team, operation_id=name,
            target_type="schedule", outcome=audit.Outcome.DENIED, reason=str(exc), request=actor.request,
        )  # fmt: skip
        raise NotAllowed(str(exc)) from None


def _audit(actor: Actor, name: str, schedule: Schedule, params: dict[str, Any] | None = None) -> None:
    audit.record(
        actor=actor.user, api_token_label=actor.api_token_label, team=actor.team, operation_id=name,
        target_type="schedule", target_id=str(schedule.pk), target_label=schedule.name,
        params=params or {}, outcome=audit.Outcome.OK, request=actor.request,
    )  # fmt: skip


def describe_timing(schedule: Schedule) -> str:
    if schedule.interval_minutes:
        minutes = schedule.interval_minutes
        if minutes % (24 * 60) == 0:
            days = minutes // (24 * 60)
            return "Every day" if days == 1 else f"Every {days} days"
        if minutes % 60 == 0:
            hours = minutes // 60
            return "Every hour" if hours == 1 else f"Every {hours} hours"
        return f"Every {minutes} minutes"
    return f"Cron “{schedule.cron}” ({schedule.time_zone})"


def describe_target(schedule: Schedule) -> str:
    if schedule.target_kind == TargetKind.SERVER:
        try:
            ref = parse_server_ref(schedule.target_value)
        except NotFoundError:
            return schedule.target_value
        return known_hostname(ref, schedule.team) or schedule.target_value
    if schedule.target_kind == TargetKind.LABEL:
        return f"Servers labelled “{schedule.target_value}”"
    return f"Servers matching {describe_filter(schedule.target_value)}"


def _target(actor: Actor, action: Action, kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == TargetKind.SERVER:
        if not value:
            raise InvalidInput("Choose a server.", fields={"target_value": ["Choose a server."]})
        ref = str(parse_server_ref(value))
        pipeline.authorise(action, actor, ref)  # the role and the member's scope, now
        return ref
    _require(actor, action.name)
    if kind == TargetKind.LABEL:
        label = value.lower()
        if not label or len(label) > LABEL_MAX or any(c.isspace() for c in label):
            raise InvalidInput(
                "Give one label (no spaces, at most 40 characters).",
                fields={"target_value": ["One label, e.g. web."]},
            )
        return label
    if kind == TargetKind.FILTER:
        return clean_filter(value)
    raise InvalidInput("Choose one server, a label or a filter.", fields={"target_kind": ["Choose one."]})


def _timing(spec: ScheduleSpec) -> tuple[int | None, str, str]:
    interval, cron = spec.interval_minutes, (spec.cron or "").strip()
    if (interval is None) == (not cron):
        raise InvalidInput(
            "Give either an interval in minutes or a cron expression.",
            fields={"interval_minutes": ["Give one of the two."], "cron": ["Give one of the two."]},
        )
    timing.zone(spec.time_zone or "UTC")
    if interval is not None:
        if not INTERVAL_MIN <= int(interval) <= INTERVAL_MAX:
            raise InvalidInput(
                f"The interval is {INTERVAL_MIN} minutes to a year.",
                fields={"interval_minutes": [f"From {INTERVAL_MIN} to {INTERVAL_MAX} minutes."]},
            )
        return int(interval), "", spec.time_zone or "UTC"
    timing.parse_cron(cron)
    return None, " ".join(cron.split()), spec.time_zone or "UTC"


def create(actor: Any, spec: ScheduleSpec) -> Schedule:
    """A new schedule owned by `actor`: runs on their behalf, as long as they may do its action."""
    who = as_actor(actor)
    _require(who, "schedules.manage")
    action = actions.get(spec.action)
    if action is None or not action.schedulable:
        raise InvalidInput("Choose an action that runs on a schedule.", fields={"action": ["Choose one."]})
    name = (spec.name or "").strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("Give the schedule a name (1 to 100 characters).", fields={"name": ["Required."]})
    try:
        data = action.input.model_validate(spec.input or {}).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        raise InvalidInput(f"Invalid input for “{action.label}”.", fields=errors_by_field(exc)) from None
    interval, cron, zone_name = _timing(spec)
    keep = spec.keep_last
    if keep is not None:
        if action is not SNAPSHOT_CREATE:
            raise InvalidInput(
                "Only snapshot schedules keep a number of copies.", fields={"keep_last": ["Leave empty."]}
            )
        if not 1 <= int(keep) <= KEEP_MAX:
            raise InvalidInput(
                f"Keep 1 to {KEEP_MAX} snapshots.", fields={"keep_last": [f"1 to {KEEP_MAX}."]}
            )
        if not _may(who.membership, SNAPSHOT_DELETE.name):
            raise InvalidInput(
                "Your role may not delete snapshots, so this schedule cannot keep only the last ones.",
                fields={"keep_last": ["Needs the right to delete snapshots."]},
            )
    target = _target(who, action, spec.target_kind, spec.target_value)
    moment = timing.now()
    with transaction.atomic():
        schedule = Schedule(
            team=who.team, name=name, action=action.name, input=data, target_kind=spec.target_kind,
            target_value=target, interval_minutes=interval, cron=cron, time_zone=zone_name, anchor=moment,
            keep_last=keep, owner=who.user if getattr(who.user, "pk", None) else None,
            owner_name=actor_name_for(who.user),
        )  # fmt: skip
        schedule.next_run_at = _next(schedule, moment)
        schedule.save()
        described = {"action": action.name, "target": describe_target(schedule)}
        _audit(who, "schedules.create", schedule, described)
    return schedule


def _next(schedule: Schedule, after: datetime) -> datetime | None:
    return timing.next_after(
        interval_minutes=schedule.interval_minutes,
        cron=schedule.cron,
        time_zone=schedule.time_zone,
        anchor=schedule.anchor,
        after=after,
    )


def visible(actor: Any) -> Any:
    """The team's schedules this member may see: a member limited to chosen servers sees those
    naming one of their servers only (a label or a filter may reach others)."""
    who = as_actor(actor)
    schedules = Schedule.objects.filter(team=who.team).select_related("owner")
    if who.is_server_limited:
        scope = list(who.membership.server_scope)
        schedules = schedules.filter(target_kind=TargetKind.SERVER, target_value__in=scope)
    return schedules


def get(actor: Any, pk: int) -> Schedule:
    schedule = visible(actor).filter(pk=pk).first()
    if schedule is None:
        raise NotFoundError("No such schedule.")
    return schedule


def set_paused(actor: Any, schedule: Schedule, paused: bool) -> Schedule:
    """Pause, or resume from the next slot after now (slots passed while paused are not made up)."""
    who = as_actor(actor)
    _require(who, "schedules.manage")
    with transaction.atomic():
        schedule.paused = paused
        if paused:
            schedule.pause_reason = f"Paused by {actor_name_for(who.user)}."
        else:
            schedule.pause_reason = ""
            schedule.next_run_at = _next(schedule, timing.now())
        schedule.save(update_fields=["paused", "pause_reason", "next_run_at"])
        _audit(who, "schedules.pause" if paused else "schedules.resume", schedule)
    return schedule


def resume(actor: Any, schedule: Schedule) -> Schedule:
    return set_paused(actor, schedule, False)


def delete(actor: Any, schedule: Schedule) -> None:
    """The schedule and its history go; snapshots it made stay at VPSBG (delete them there)."""
    who = as_actor(actor)
    _require(who, "schedules.manage")
    with transaction.atomic():
        _audit(who, "schedules.delete", schedule)
        schedule.delete()
