"""/healthz reports each dependency and answers 503 as soon as one of them fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from panel.core import health
from panel.core.models import WorkerHeartbeat
from panel.core.tasks import heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_heartbeat() -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(hostname="celery@test", seen_at=timezone.now())


def test_all_ok_is_200_with_each_check(client, fresh_heartbeat) -> None:
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "worker", "vpsbg_api_url"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_no_heartbeat_yet_is_503(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {
        "ok": False,
        "error": "no worker heartbeat yet",
        "max_age": 120,
        "ms": pytest.approx(0, abs=1000),
    }


def test_stale_heartbeat_is_503(client, settings) -> None:
    settings.HEALTHZ_HEARTBEAT_MAX_AGE = 60
    WorkerHeartbeat.objects.create(hostname="celery@old", seen_at=timezone.now() - timedelta(seconds=90))
    response = client.get("/healthz")
    worker = response.json()["checks"]["worker"]
    assert response.status_code == 503
    assert worker["ok"] is False and "stale after 60s" in worker["error"]


def test_database_failure_is_503(client, fresh_heartbeat, monkeypatch) -> None:
    class BrokenCursor:
        def __enter__(self):
            raise RuntimeError("database is unreachable")

        def __exit__(self, *args):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: BrokenCursor())
    monkeypatch.setitem(health.CHECKS, "worker", lambda: {"ok": True})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "error": "RuntimeError: database is unreachable",
        "ms": pytest.approx(0, abs=1000),
    }


def test_cache_failure_is_503(client, fresh_heartbeat, monkeypatch) -> None:
    def broken_set(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(health.cache, "set", broken_set)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["error"] == "ConnectionError: cache down"
    assert response.json()["checks"]["database"]["ok"] is True


def test_cache_that_forgets_is_503(client, fresh_heartbeat, monkeypatch) -> None:
    monkeypatch.setattr(health.cache, "get", lambda *a, **k: None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "did not return" in response.json()["checks"]["cache"]["error"]


def test_missing_filesystem_broker_folder_is_503(client, fresh_heartbeat, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(
        health, "broker_settings", lambda: ("filesystem://", {"data_folder_in": str(tmp_path / "gone")})
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "broker folder is missing" in response.json()["checks"]["broker"]["error"]


def test_unreachable_redis_broker_is_503(client, fresh_heartbeat, monkeypatch, free_port) -> None:
    monkeypatch.setattr(health, "broker_settings", lambda: (f"redis://127.0.0.1:{free_port}/0", {}))
    response = client.get("/healthz")
    broker = response.json()["checks"]["broker"]
    assert response.status_code == 503
    assert broker["ok"] is False and "Error" in broker["error"]


def test_live_redis_broker_is_ok(client, fresh_heartbeat, monkeypatch, redis_url) -> None:
    monkeypatch.setattr(health, "broker_settings", lambda: (redis_url, {}))
    assert health.check_broker() == {"ok": True, "transport": "redis"}


def test_heartbeat_task_records_the_worker() -> None:
    hostname = heartbeat.apply().get()
    row = WorkerHeartbeat.objects.get(hostname=hostname)
    assert (timezone.now() - row.seen_at).total_seconds() < 60  # this run's, not an old one
    assert health.check_worker()["ok"] is True


def test_liveness_needs_no_dependency(client) -> None:
    response = client.get("/healthz/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
