"""How the team-wide aggregates spend their time: early requests, one cache write, no GC pauses.

The behaviour a person sees (every server once, warnings, scope) is in
`test_scope_and_aggregates.py`; these tests hold the mechanics that keep a big list fast.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache as django_cache

from panel.core.errors import NotAllowed
from panel.services import aggregates
from panel.services import cache as service_cache
from panel.services.execution import Outcome


@pytest.fixture
def gc_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def _spy_perform(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool, str]]:
    """Record (account, collector on?, thread name) for each HTTP part the aggregate runs."""
    seen: list[tuple[str, bool, str]] = []
    real = aggregates.perform

    def spy(call: Any) -> Outcome:
        seen.append((call.account_id, gc.isenabled(), threading.current_thread().name))
        return real(call)

    monkeypatch.setattr(aggregates, "perform", spy)
    return seen


def test_the_collector_is_off_while_the_list_is_built_and_back_after(
    owner, tokens, monkeypatch, gc_on
) -> None:
    seen = _spy_perform(monkeypatch)
    assert len(aggregates.servers_list_all(actor=owner).items) == 13
    assert len(seen) == 2 and not any(enabled for _, enabled, _ in seen)
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off(owner, tokens, gc_on) -> None:
    gc.disable()
    aggregates.servers_list_all(actor=owner)
    assert not gc.isenabled()


def test_the_collector_comes_back_after_a_refusal(owner, tokens, monkeypatch, gc_on) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise NotAllowed("no reads for this role")

    monkeypatch.setattr(aggregates, "prepare", refuse)
    with pytest.raises(NotAllowed):
        aggregates.servers_list_all(actor=owner)
    assert gc.isenabled()


def test_concurrent_aggregates_turn_the_collector_back_on_only_at_the_end(gc_on) -> None:
    with aggregates._gc_paused():
        with aggregates._gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer one is still building its list
    assert gc.isenabled()


def test_every_account_is_cached_in_one_shared_write(owner, tokens, simulator, monkeypatch) -> None:
    writes: list[int] = []
    real = django_cache.set_many

    def count(values: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        writes.append(len(values))
        return real(values, *args, **kwargs)

    monkeypatch.setattr(django_cache, "set_many", count)
    first = aggregates.servers_list_all(actor=owner)
    assert writes == [2]
    service_cache.clear_local()  # as another process would: only the shared level is left
    simulator.sim.faults.add(operation="servers_list", status=503)
    again = aggregates.servers_list_all(actor=owner)
    assert again.complete and [s.key for s in again.items] == [s.key for s in first.items]
    assert [s.server for s in again.items] == [s.server for s in first.items]


def test_one_account_is_read_on_the_calling_thread(owner, add_token, monkeypatch) -> None:
    add_token("alpha_ro")
    seen = _spy_perform(monkeypatch)
    aggregates.servers_list_all(actor=owner)
    assert [(account, thread) for account, _, thread in seen] == [
        ("ops@alpha.example", threading.current_thread().name)
    ]


def test_requests_leave_while_later_accounts_are_still_prepared(monkeypatch) -> None:
    started: list[Any] = []
    monkeypatch.setattr(aggregates, "perform", lambda call: started.append(call) or Outcome(call))
    calls = [SimpleNamespace(client=object()) for _ in range(3)]
    fan = aggregates._FanOut()
    fan.add(calls[0])
    assert started == []  # maybe the only miss: kept for the calling thread
    fan.add(calls[1])
    deadline = time.monotonic() + 2
    while len(started) < 2 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert sorted(map(id, started)) == sorted(map(id, calls[:2]))  # both left before the third
    fan.add(calls[2])
    assert [outcome.value for outcome in fan.outcomes()] == calls


def test_cache_hits_use_no_thread(monkeypatch) -> None:
    threads: list[str] = []
    monkeypatch.setattr(
        aggregates,
        "perform",
        lambda call: threads.append(threading.current_thread().name) or Outcome(call),
    )
    fan = aggregates._FanOut()
    for _ in range(3):
        fan.add(SimpleNamespace(client=None))
    fan.outcomes()
    assert threads == [threading.current_thread().name] * 3
