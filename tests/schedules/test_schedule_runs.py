"""A schedule fires on time (frozen clock), once for slots missed while the panel was down, never
while paused, and pauses itself saying why when its owner may no longer run it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from panel.accounts.roles import Role
from panel.bulk.models import BatchItem
from panel.operations.models import Operation
from panel.schedules import runs, services
from panel.schedules.models import RunOutcome, Schedule, ScheduleRun
from panel.services.context import Actor

from .conftest import START

pytestmark = pytest.mark.django_db

SERVER = "ops@alpha.example:2864"


def _hourly_restart(owner, **extra) -> Schedule:
    spec = services.ScheduleSpec(
        name="Hourly restart", action="servers_restart", target_kind="server", target_value=SERVER,
        input={}, interval_minutes=60, **extra,
    )  # fmt: skip
    return services.create(Actor(owner), spec)


def test_fires_on_time_and_not_a_minute_early(simulator, alpha, owner, clock) -> None:
    schedule = _hourly_restart(owner)
    assert schedule.next_run_at == START + timedelta(hours=1)

    assert runs.tick(clock.at(START + timedelta(minutes=59, seconds=59))) == []
    assert not ScheduleRun.objects.exists()

    [run] = runs.tick(clock.at(START + timedelta(hours=1)))
    assert run.outcome == RunOutcome.STARTED and run.due_at == START + timedelta(hours=1)
    parent = run.operation
    assert parent.kind == "bulk_servers_restart" and parent.actor == owner.user
    assert f"By schedule “Hourly restart” (#{schedule.pk}) on behalf of" in parent.data["reason"]
    assert [i.target for i in BatchItem.objects.filter(parent=parent)] == [SERVER]
    schedule.refresh_from_db()
    assert schedule.next_run_at == START + timedelta(hours=2)
    assert runs.tick(clock.forward(minutes=30)) == []  # not again before its next slot


def test_cron_in_the_schedule_time_zone(simulator, alpha, owner, clock) -> None:
    schedule = services.create(
        Actor(owner),
        services.ScheduleSpec(
            name="Nightly",
            action="servers_restart",
            target_kind="server",
            target_value=SERVER,
            input={},
            cron="30 3 * * *",
            time_zone="Europe/Sofia",
        ),
    )
    # 03:30 in Sofia in June is 00:30 UTC (summer time, UTC+3).
    assert schedule.next_run_at == datetime(2026, 6, 2, 0, 30, tzinfo=UTC)
    [run] = runs.tick(clock.at(datetime(2026, 6, 2, 0, 30, tzinfo=UTC)))
    assert run.outcome == RunOutcome.STARTED


def test_missed_runs_run_once_on_return(simulator, alpha, owner, clock) -> None:
    schedule = _hourly_restart(owner)
    # The panel was down from 09:00 to 14:10: the 10:00 ... 14:00 slots were all missed.
    ran = runs.tick(clock.at(START + timedelta(hours=5, minutes=10)))
    assert len(ran) == 1 and ran[0].missed == 4  # one run standing for five slots
    assert Operation.objects.filter(kind="bulk_servers_restart").count() == 1
    schedule.refresh_from_db()
    assert schedule.next_run_at == START + timedelta(hours=6)


def test_a_paused_schedule_does_not_fire(simulator, alpha, owner, clock) -> None:
    schedule = _hourly_restart(owner)
    services.set_paused(Actor(owner), schedule, True)
    assert runs.tick(clock.at(START + timedelta(hours=3))) == []
    assert not Operation.objects.exists() and not ScheduleRun.objects.exists()
    services.resume(Actor(owner), schedule)  # from the next slot after now, not the missed ones
    schedule.refresh_from_db()
    assert schedule.next_run_at == START + timedelta(hours=4)


def test_an_owner_who_lost_the_right_pauses_it_with_the_reason(simulator, alpha, owner, clock) -> None:
    schedule = _hourly_restart(owner)
    owner.role = Role.VIEWER
    owner.save()
    [run] = runs.tick(clock.at(START + timedelta(hours=1)))
    schedule.refresh_from_db()
    assert run.outcome == RunOutcome.PAUSED and schedule.paused
    assert "may no longer do this" in schedule.pause_reason and "Viewer" in schedule.pause_reason
    assert not Operation.objects.exists()
    assert runs.tick(clock.forward(hours=1)) == []  # paused: no further run


def test_an_owner_who_left_the_team_pauses_it(simulator, alpha, owner, clock) -> None:
    schedule = _hourly_restart(owner)
    owner.delete()
    [run] = runs.tick(clock.at(START + timedelta(hours=1)))
    schedule.refresh_from_db()
    assert schedule.paused and "no longer a member" in schedule.pause_reason
    assert run.outcome == RunOutcome.PAUSED


def test_a_member_limited_to_servers_sees_only_schedules_of_their_servers(
    simulator, alpha, owner, member, clock
) -> None:
    mine = _hourly_restart(owner)
    services.create(
        Actor(owner),
        services.ScheduleSpec(
            name="Other server",
            action="servers_restart",
            target_kind="server",
            target_value="ops@alpha.example:2866",
            input={},
            interval_minutes=60,
        ),
    )
    limited = member(Role.OPERATOR, scope=[SERVER])
    assert [s.pk for s in services.visible(Actor(limited))] == [mine.pk]
