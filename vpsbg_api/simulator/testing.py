"""Helpers for tests (ours and the panel's): a simulator on a free loopback port.

``running_simulator(**options)`` yields a ``RunningSimulator`` with ``base_url`` (ending in
``/v1``), ``tokens`` (``{"alpha_rw": ..., "alpha_ro": ..., "beta_rw": ...}``) and ``sim``.
``simulator_fixture()`` is the body of the ``simulator`` pytest fixture, reusable from any
conftest: fresh state per test, a frozen clock (advance it with ``sim.clock.advance``), short
actions. ``requests_meet(...)`` proves calls are made side by side without timing them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .app import RequestHandler, Simulator
from .clock import Clock
from .errors import ApiError
from .seed import DEMO_TOKENS
from .spec import Operation

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


@contextmanager
def requests_meet(
    operation_id: str,
    parties: int,
    *,
    when: Callable[[dict[str, list[str]]], bool] = lambda query: True,
    timeout: float = 60.0,
) -> Iterator[None]:
    """Hold `parties` requests of `operation_id` (whose query passes `when`) until all have come.

    Calls made side by side meet and are answered; calls made one after another never do: after
    `timeout` the waiting ones are answered 504, which the caller sees as a failure. No clock is
    read, so a loaded machine cannot make the proof flaky. Applies to every simulator in-process.
    """
    barrier = threading.Barrier(parties, timeout=timeout)
    arrive = RequestHandler._apply_fault

    def meet(handler: RequestHandler, op: Operation, headers: dict[str, str]) -> bool:
        if op.operation_id == operation_id and when(parse_qs(urlsplit(handler.path).query)):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                handler._error(ApiError(504, f"Only some of {parties} {operation_id} requests came."))
                return True
        return arrive(handler, op, headers)

    setattr(RequestHandler, "_apply_fault", meet)  # noqa: B010 - a method swapped for the block
    try:
        yield
    finally:
        setattr(RequestHandler, "_apply_fault", arrive)  # noqa: B010
