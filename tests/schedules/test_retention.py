"""Retention "keep the last N": exactly N of the schedule's own snapshots stay, oldest deleted first,
nothing it did not make is touched, and nothing is deleted while a newer one is being made."""

from __future__ import annotations

from datetime import timedelta

import pytest

from panel.operations import runner
from panel.operations.models import Operation
from panel.schedules import retention, runs, services
from panel.schedules.models import ScheduleSnapshot, SnapshotState
from panel.services.context import Actor
from tests.bulk.conftest import drive

from .conftest import START

pytestmark = pytest.mark.django_db

SERVER = "ops@alpha.example:2864"
MANUAL = 116  # the seed's snapshot of that server, taken by hand


def _listed(simulator) -> list[int]:
    return sorted(s["id"] for s in simulator.sim.state.coll("snapshots").values() if s["server_id"] == 2864)


def _finish_deletions() -> None:
    for op in Operation.objects.filter(kind="snapshot_delete").exclude(state__in=["succeeded", "failed"]):
        for _ in range(50):
            runner.run(op.pk)
            op.refresh_from_db()
            if op.is_ended:
                break


def test_keeps_exactly_n_of_its_own(simulator, alpha, owner, clock) -> None:
    schedule = services.create(
        Actor(owner),
        services.ScheduleSpec(
            name="Nightly snapshot",
            action="servers_snapshots_create",
            target_kind="server",
            target_value=SERVER,
            input={},
            interval_minutes=24 * 60,
            keep_last=2,
        ),
    )

    for day in range(1, 5):
        [run] = runs.tick(clock.at(START + timedelta(days=day)))
        # While this run's snapshot is being made, retention deletes nothing of that server.
        before = _listed(simulator)
        assert retention.apply(schedule) == []
        assert not Operation.objects.filter(kind="snapshot_delete", state__in=["queued", "running"]).exists()
        assert _listed(simulator) == before
        parent = drive(simulator, run.operation)
        assert parent.state == "succeeded", parent.error
        runs.tick(clock.forward(minutes=1))  # records the new snapshot, starts deletions
        _finish_deletions()
        runs.tick(clock.forward(minutes=1))  # follows them to their end

        assert MANUAL in _listed(simulator)

    own = set(ScheduleSnapshot.objects.filter(schedule=schedule).values_list("snapshot_id", flat=True))
    assert len(own) == 4
    kept = ScheduleSnapshot.objects.filter(schedule=schedule, state=SnapshotState.KEPT)
    newest_two = sorted(own)[-2:]
    assert sorted(kept.values_list("snapshot_id", flat=True)) == newest_two
    assert _listed(simulator) == sorted([MANUAL, *newest_two])  # the one taken by hand stays
    deleted = ScheduleSnapshot.objects.filter(schedule=schedule, state=SnapshotState.DELETED)
    assert sorted(deleted.values_list("snapshot_id", flat=True)) == sorted(own)[:2]
    # Each deletion ran on behalf of the owner, saying why.
    for op in Operation.objects.filter(kind="snapshot_delete"):
        assert op.actor == owner.user and "Retention of schedule" in op.data["reason"]
