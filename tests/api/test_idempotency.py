"""Idempotency-Key: the same request twice acts once; another body with the key is a 422."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from panel.api import idempotency
from panel.api.models import IdempotencyRecord
from panel.audit.models import AuditEvent
from panel.services import library

from .conftest import ALPHA

KEY_BODY = {
    "name": "deploy key",
    "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk9 ci@example",
    "account": ALPHA,
}


def _post(client, body: dict[str, Any], key: str = "key-1"):
    return client.post("/api/v1/ssh-keys", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_same_key_twice_calls_vpsbg_once(api, vault, simulator) -> None:
    client = api()
    first = _post(client, KEY_BODY)
    assert first.status_code == 200, first.content
    second = _post(client, KEY_BODY)
    assert second.status_code == 200 and second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert simulator.sim.calls["ssh_keys_create"] == 1
    assert AuditEvent.objects.filter(operation_id="ssh_keys_create").count() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_a_422(api, vault, simulator) -> None:
    client = api()
    assert _post(client, KEY_BODY).status_code == 200
    response = _post(client, {**KEY_BODY, "name": "another"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert simulator.sim.calls["ssh_keys_create"] == 1


@pytest.mark.django_db
def test_keys_are_per_token(api, vault, simulator) -> None:
    assert _post(api(), KEY_BODY).status_code == 200
    other = {**KEY_BODY, "name": "other token's key", "key": KEY_BODY["key"].replace("Hk9", "Zz1")}
    assert _post(api(), other).status_code == 200
    assert simulator.sim.calls["ssh_keys_create"] == 2


@pytest.mark.django_db
def test_a_transient_failure_lets_the_key_be_retried(api, vault, simulator, settings) -> None:
    client = api()
    live = settings.VPSBG_API_URL
    settings.VPSBG_API_URL = "http://127.0.0.1:9/v1"  # nothing answers: 503
    assert _post(client, KEY_BODY).status_code == 503
    assert not IdempotencyRecord.objects.exists()
    settings.VPSBG_API_URL = live
    assert _post(client, KEY_BODY).status_code == 200


@pytest.mark.django_db
def test_a_bad_key_is_a_clear_error(api, vault, simulator) -> None:
    response = _post(api(), KEY_BODY, key="x" * 300)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]["fields"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_same_key_runs_once(api, vault, simulator, monkeypatch, settings) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL (set DATABASE_URL); SQLite serializes them anyway")
    client = api()
    real = library.ssh_keys_create  # what the action runs (`panel.actions.library`)
    calls: list[int] = []
    other_waits = threading.Event()
    overlapped: list[bool] = []
    settings.PANEL_API_IDEMPOTENCY_WAIT = 120  # the waiting request outlasts any load

    def waiting(seconds: float) -> None:
        other_waits.set()
        real_sleep(seconds)

    def slow(**kwargs: Any) -> Any:
        calls.append(1)
        overlapped.append(other_waits.wait(60))  # the key stays held until the other request waits
        return real(**kwargs)

    real_sleep = idempotency.sleep
    monkeypatch.setattr(idempotency, "sleep", waiting)
    monkeypatch.setattr(library, "ssh_keys_create", slow)
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def request() -> None:
        try:
            barrier.wait()
            answers.append(_post(client, KEY_BODY, key="race"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert overlapped == [True]
    assert len(calls) == 1 and simulator.sim.calls["ssh_keys_create"] == 1
    assert sorted(a.status_code for a in answers) == [200, 200]
    assert answers[0].json() == answers[1].json()
