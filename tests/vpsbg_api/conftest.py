"""Fixtures for the VPSBG API client and simulator tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vpsbg_api.simulator.testing import RunningSimulator, simulator_fixture


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    """A fresh demo simulator on loopback: frozen clock, 5 s actions (advance with ``.advance``)."""
    with simulator_fixture() as running:
        yield running
