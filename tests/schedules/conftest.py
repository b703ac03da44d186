"""Schedules against the simulator, with the schedules' clock frozen (`clock.at`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from panel.schedules import timing
from tests.bulk.conftest import alpha, simulator  # noqa: F401 - the same simulator and token
from tests.operations.conftest import (  # noqa: F401
    add_token,
    fast_operations,
    fresh_keys,
    member,
    owner,
    team,
)

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


class FrozenClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime) -> datetime:
        self.now = moment
        return moment

    def forward(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> FrozenClock:
    frozen = FrozenClock()
    monkeypatch.setattr(timing, "now", frozen)
    return frozen
