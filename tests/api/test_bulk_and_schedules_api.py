"""`/api/v1/bulk` and `/api/v1/schedules`: a bulk request with an Idempotency-Key starts one batch
however often it is repeated; schedules are created, read with their next runs, paused and listed."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.actions import pipeline
from panel.bulk.models import BatchItem
from panel.operations.models import Operation

from .conftest import ALPHA

pytestmark = pytest.mark.django_db

SERVERS = [f"{ALPHA}:2864", f"{ALPHA}:2866"]


def test_bulk_request_is_idempotent(api, vault) -> None:
    client = api(Role.OPERATOR)
    body = {"action": "servers_restart", "servers": SERVERS, "reason": "patch day"}
    first = client.post("/api/v1/bulk", body, format="json", HTTP_IDEMPOTENCY_KEY="patch-day-1")
    assert first.status_code == 202, first.content
    again = client.post("/api/v1/bulk", body, format="json", HTTP_IDEMPOTENCY_KEY="patch-day-1")
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Operation.objects.filter(kind="bulk_servers_restart").count() == 1
    batch = first.json()
    assert first["Location"] == batch["url"] == f"/api/v1/bulk/{batch['id']}"
    assert sorted(i["server"] for i in batch["items"]) == SERVERS
    assert {i["state"] for i in batch["items"]} == {"pending"}
    read = client.get(batch["url"]).json()
    assert read["action"] == "servers_restart" and len(read["items"]) == 2


def test_bulk_refuses_an_action_not_for_many_servers(api, vault) -> None:
    response = api(Role.OWNER).post(
        "/api/v1/bulk", {"action": "servers_reinstall", "servers": SERVERS}, format="json"
    )
    assert response.status_code == 422 and "action" in response.json()["error"]["fields"]


def test_bulk_held_for_approval_answers_202_without_a_batch(api, vault, monkeypatch) -> None:
    def hold(requests):
        raise pipeline.Pending("A restart of 2 servers needs an approval.")

    monkeypatch.setattr(pipeline, "POLICIES", [hold])
    response = api(Role.OWNER).post(
        "/api/v1/bulk", {"action": "servers_restart", "servers": SERVERS}, format="json"
    )
    assert response.status_code == 202 and response.json()["status"] == "approval_required"
    assert not BatchItem.objects.exists()


def test_a_server_of_another_account_is_404(api, vault) -> None:
    response = api(Role.OWNER).post(
        "/api/v1/bulk", {"action": "servers_restart", "servers": ["nobody@example:1"]}, format="json"
    )
    assert response.status_code == 404
    assert not Operation.objects.exists()


def test_schedules_api(api, vault) -> None:
    client = api(Role.ADMIN)
    created = client.post(
        "/api/v1/schedules",
        {
            "name": "Nightly snapshots",
            "action": "servers_snapshots_create",
            "target_kind": "server",
            "target_value": SERVERS[0],
            "cron": "0 3 * * *",
            "time_zone": "Europe/Sofia",
            "keep_last": 7,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    schedule = created.json()
    assert schedule["keep_last"] == 7 and len(schedule["next_runs"]) == 5
    assert schedule["when"] == "Cron “0 3 * * *” (Europe/Sofia)"
    bad = client.post(
        "/api/v1/schedules",
        {"name": "x", "action": "servers_restart", "target_kind": "server", "target_value": SERVERS[0]},
        format="json",
    )
    assert bad.status_code == 422 and "cron" in bad.json()["error"]["fields"]
    paused = client.post(f"{schedule['url']}/pause").json()
    assert paused["paused"] is True and paused["next_runs"] == []
    assert client.get(f"{schedule['url']}/runs").json()["results"] == []
    assert [s["name"] for s in client.get("/api/v1/schedules").json()["results"]] == ["Nightly snapshots"]
    assert api(Role.VIEWER).post(f"{schedule['url']}/resume").status_code == 403
    assert client.delete(schedule["url"]).status_code == 204
