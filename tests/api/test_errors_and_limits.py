"""Every error the API gives has one shape: {"error": {"code", "message", "fields"}}; the token throttle."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from panel.accounts.roles import Role
from panel.operations.models import Operation

from .conftest import ALPHA

pytestmark = pytest.mark.django_db


def _shape(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["message"] and isinstance(error["fields"], dict)
    return error


def _server(client) -> str:
    return f"{ALPHA}:{client.get('/api/v1/servers', {'account': ALPHA}).json()['data'][0]['id']}"


def test_each_status_has_the_one_shape(api, vault, simulator, client, settings) -> None:
    owner = api()
    _shape(owner.post("/api/v1/ssh-keys", {"name": 5}, format="json"), 400)
    _shape(client.get("/api/v1/me"), 401)
    _shape(api(Role.VIEWER).post(f"/api/v1/servers/{ALPHA}:1/stop", {}, format="json"), 403)
    _shape(owner.get("/api/v1/servers/nobody@nowhere:1"), 404)
    _shape(owner.get("/api/v1/does-not-exist"), 404)
    assert _shape(owner.get("/api/v1/ssh-keys"), 422)["fields"]["account"]
    ref = _server(owner)
    body = {"image_id": 1, "password": "Very-long-Passw0rd!", "reason": "test"}
    first = owner.post(f"/api/v1/servers/{ref}/reinstall", body, format="json")
    assert first.status_code == 202 and first["Location"] == first.json()["url"]
    assert _shape(owner.post(f"/api/v1/servers/{ref}/reinstall", body, format="json"), 423)["code"] == "busy"
    settings.VPSBG_API_URL = "http://127.0.0.1:9/v1"
    cache.clear()
    _shape(owner.get(f"/api/v1/servers/{ref}"), 503)
    _shape(owner.delete("/api/v1/me"), 405)


def test_a_long_action_answers_202_with_the_operation_to_poll(api, vault, simulator) -> None:
    owner = api(Role.ADMIN)
    ref = _server(owner)
    response = owner.post(
        f"/api/v1/servers/{ref}/rescue", {"reason": "kernel panic"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert response.status_code == 202
    operation = Operation.objects.get()
    assert operation.kind == "rescue_on" and operation.target_id == ref
    assert operation.data["reason"] == "kernel panic" and "reason" not in operation.params
    polled = owner.get(response["Location"])
    assert polled.status_code == 200 and polled.json()["state"] == "queued"
    again = owner.post(
        f"/api/v1/servers/{ref}/rescue", {"reason": "kernel panic"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert again.status_code == 202 and again.json()["id"] == operation.pk
    assert Operation.objects.count() == 1
    assert owner.get("/api/v1/operations", {"state": "queued"}).json()["count"] == 1
    assert api(Role.VIEWER, in_team=None).get(response["Location"]).status_code == 200


def test_the_throttle_counts_per_token(api, settings) -> None:
    settings.PANEL_API_THROTTLE_RATE = "2/minute"
    cache.clear()
    first, second = api(), api()
    assert first.get("/api/v1/me").status_code == 200
    assert first.get("/api/v1/me").status_code == 200
    error = _shape(first.get("/api/v1/me"), 429)
    assert error["code"] == "throttled"
    assert int(first.get("/api/v1/me")["Retry-After"]) > 0
    assert second.get("/api/v1/me").status_code == 200  # another token has its own budget


def test_busy_names_the_running_operation_as_data(api, vault, simulator) -> None:
    owner = api()
    ref = _server(owner)
    body = {"image_id": 1, "password": "Very-long-Passw0rd!", "reason": "test"}
    first = owner.post(f"/api/v1/servers/{ref}/reinstall", body, format="json").json()
    error = _shape(owner.post(f"/api/v1/servers/{ref}/rescue", {}, format="json"), 423)
    assert error["operation"] == {"id": first["id"], "url": first["url"]}
    assert error["message"].startswith(f"This server is busy: “Reinstall” (operation {first['id']})")


def test_a_broker_that_refuses_the_task_answers_202_and_the_dispatcher_sends_it_later(
    api, vault, simulator, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from kombu.exceptions import OperationalError

    from panel.operations import dispatch, tasks

    def refuse(*_: object, **__: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_operation, "apply_async", refuse)
    owner = api()
    ref = _server(owner)
    body = {"image_id": 1, "password": "Very-long-Passw0rd!", "reason": "broker down"}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(f"/api/v1/servers/{ref}/reinstall", body, format="json")
    assert response.status_code == 202, response.content[:300]
    operation = Operation.objects.get(pk=response.json()["id"])
    assert operation.state == "queued" and operation.step == "Queued, waiting for a worker"
    assert operation.log.filter(message__contains="sent as soon as the queue answers again").exists()
    assert dispatch.dispatch()["sent"] == 0  # still down: nothing lost, still due
    sent: list[tuple[object, object]] = []
    monkeypatch.setattr(
        tasks.run_operation, "apply_async", lambda args=None, task_id=None, **_: sent.append((args, task_id))
    )
    assert dispatch.dispatch()["sent"] == 1
    operation.refresh_from_db()
    assert sent == [([operation.pk], operation.task_id)]  # the one message the worker will accept
    assert dispatch.dispatch()["sent"] == 0  # sent once, not on every run
