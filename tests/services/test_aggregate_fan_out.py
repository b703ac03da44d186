"""How the team-wide aggregates spend their time: early requests, one cache write.

The behaviour a person sees (every server once, warnings, scope) is in
`test_scope_and_aggregates.py`; these tests hold the mechanics that keep a big list fast.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache as django_cache

from panel.services import aggregates
from panel.services import cache as service_cache
from panel.services.execution import Outcome


def _spy_perform(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record (account, thread name) for each HTTP part the aggregate runs."""
    seen: list[tuple[str, str]] = []
    real = aggregates.perform

    def spy(call: Any) -> Outcome:
        seen.append((call.account_id, threading.current_thread().name))
        return real(call)

    monkeypatch.setattr(aggregates, "perform", spy)
    return seen


def test_every_account_is_cached_in_one_shared_write(owner, tokens, simulator, monkeypatch) -> None:
    writes: list[int] = []

    class Spy:
        def __getattr__(self, name: str) -> Any:
            return getattr(django_cache, name)

        def set_many(self, values: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            writes.append(len(values))
            return django_cache.set_many(values, *args, **kwargs)

        def set(self, key: str, *args: Any, **kwargs: Any) -> Any:
            if ":ver:" not in key:
                writes.append(-1)  # one read on its own: an account with a server mid-change (2 s)
            return django_cache.set(key, *args, **kwargs)

    monkeypatch.setattr(service_cache, "cache", Spy())
    first = aggregates.servers_list_all(actor=owner)
    steady = [n for n in writes if n > 0]
    assert len(steady) <= 1 and sum(steady) + writes.count(-1) == 2  # both accounts, one round trip
    service_cache.clear_local()  # as another process would: only the shared level is left
    simulator.sim.faults.add(operation="servers_list", status=503)
    again = aggregates.servers_list_all(actor=owner)
    assert again.complete and [s.key for s in again.items] == [s.key for s in first.items]
    assert [s.server for s in again.items] == [s.server for s in first.items]


def test_one_account_is_read_on_the_calling_thread(owner, add_token, monkeypatch) -> None:
    add_token("alpha_ro")
    seen = _spy_perform(monkeypatch)
    aggregates.servers_list_all(actor=owner)
    assert seen == [
        ("ops@alpha.example", threading.current_thread().name)
    ]


def test_requests_leave_while_later_accounts_are_still_prepared(monkeypatch) -> None:
    started: list[Any] = []
    both_left = threading.Condition()

    def perform(call: Any) -> Outcome:
        with both_left:
            started.append(call)
            both_left.notify_all()
        return Outcome(call)

    monkeypatch.setattr(aggregates, "perform", perform)
    calls = [SimpleNamespace(client=object()) for _ in range(3)]
    fan = aggregates._FanOut()
    fan.add(calls[0])
    assert started == []  # maybe the only miss: kept for the calling thread
    fan.add(calls[1])
    with both_left:
        both_left.wait_for(lambda: len(started) >= 2, timeout=60)
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
    list(fan.outcomes())
    assert threads == [threading.current_thread().name] * 3


def test_the_one_shared_write_works_on_redis(owner, tokens, simulator, settings, redis_url) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "test-aggregates",
        }
    }
    django_cache.clear()
    try:
        first = aggregates.servers_list_all(actor=owner)
        service_cache.clear_local()
        simulator.sim.faults.add(operation="servers_list", status=503)
        again = aggregates.servers_list_all(actor=owner)
        assert again.complete and [s.server for s in again.items] == [s.server for s in first.items]
    finally:
        django_cache.clear()
