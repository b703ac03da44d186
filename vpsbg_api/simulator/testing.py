"""Helpers for tests (ours and the panel's): a simulator on a free loopback port.

``running_simulator(**options)`` yields a ``RunningSimulator`` with ``base_url`` (ending in
``/v1``), ``tokens`` (``{"alpha_rw": ..., "alpha_ro": ..., "beta_rw": ...}``) and ``sim``.
``simulator_fixture()`` is the body of the ``simulator`` pytest fixture, reusable from any
conftest: fresh state per test, a frozen clock (advance it with ``sim.clock.advance``), short
actions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .app import Simulator
from .clock import Clock
from .seed import DEMO_TOKENS

TEST_DEFAULTS: dict[str, Any] = {"action_seconds": 5.0}


@dataclass
class RunningSimulator:
    sim: Simulator
    base_url: str
    tokens: dict[str, str]

    def headers(self, token: str = "alpha_rw") -> dict[str, str]:  # noqa: S107 - a token name
        value = self.tokens.get(token, token)
        return {"Authorization": f"Bearer {value}", "Accept": "application/json"}

    def advance(self, seconds: float) -> None:
        self.sim.clock.advance(seconds)


@contextmanager
def running_simulator(**options: Any) -> Iterator[RunningSimulator]:
    """Start a simulator (``Simulator`` keyword options, e.g. ``servers=500``) and stop it after."""
    host = options.pop("host", "127.0.0.1")
    options.setdefault("clock", Clock(start=1_764_300_000.0))
    sim = Simulator(**options)
    base_url = sim.start(host, 0)
    try:
        yield RunningSimulator(sim=sim, base_url=base_url, tokens=dict(DEMO_TOKENS))
    finally:
        sim.stop()


@contextmanager
def simulator_fixture(**options: Any) -> Iterator[RunningSimulator]:
    """The ``simulator`` fixture's body: demo seed, frozen clock, 5-second actions."""
    with running_simulator(**{**TEST_DEFAULTS, **options}) as running:
        yield running
