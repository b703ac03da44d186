"""Batches and schedules run against the simulator with a frozen clock; `drive` plays the workers:
it delivers the parent and every child due, moving the simulator's clock by the waits asked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from panel.operations import runner
from panel.operations.models import Operation
from tests.operations.conftest import (  # noqa: F401 - fixtures shared with the operation tests
    add_token,
    fast_operations,
    fresh_keys,
    member,
    owner,
    team,
)
from vpsbg_api.simulator.testing import RunningSimulator, simulator_fixture

EXTRA_SERVERS = 30


@pytest.fixture
def simulator(settings) -> Iterator[RunningSimulator]:
    with simulator_fixture(servers=EXTRA_SERVERS) as sim:
        settings.VPSBG_API_URL = sim.base_url
        settings.VPSBG_API_TIMEOUT = 5.0
        yield sim


@pytest.fixture
def alpha(add_token):  # noqa: F811
    return add_token("alpha_rw")


def drive(simulator: RunningSimulator, parent: Operation, *, rounds: int = 400) -> Operation:
    """Deliver the parent and its children until the parent ends (no broker, no real waiting)."""
    from panel.bulk.models import BatchItem

    for _ in range(rounds):
        parent.refresh_from_db()
        if parent.is_ended:
            return parent
        runner.run(parent.pk)
        children = Operation.objects.filter(
            pk__in=BatchItem.objects.filter(parent=parent).exclude(child=None).values("child_id")
        ).exclude(state__in=["succeeded", "failed", "cancelled"])
        for child in children:
            runner.run(child.pk)
        simulator.advance(6.0)
    parent.refresh_from_db()
    return parent
