"""The generic endpoints over the services, against the simulator: reads, writes, audit, errors."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent

from .conftest import ALPHA

pytestmark = pytest.mark.django_db


def _first_server(client) -> str:
    listed = client.get("/api/v1/servers", {"account": ALPHA})
    assert listed.status_code == 200, listed.content
    return f"{ALPHA}:{listed.json()['data'][0]['id']}"


def test_list_get_and_restart_a_server(api, vault, simulator) -> None:
    client = api(Role.OPERATOR, label="ops script")
    ref = _first_server(client)
    detail = client.get(f"/api/v1/servers/{ref}")
    assert detail.status_code == 200 and str(detail.json()["id"]) == ref.split(":")[1]
    response = client.post(f"/api/v1/servers/{ref}/restart", {"reason": "stuck"}, format="json")
    assert response.status_code in (202, 204), response.content
    event = AuditEvent.objects.get(operation_id="servers_restart")
    assert event.outcome == "ok" and client.membership.user.email in event.actor_name
    assert "ops script" in event.actor_api_token and event.reason.startswith("stuck")


def test_reinstall_takes_the_same_password_rule_as_the_page(api, vault, simulator) -> None:
    client = api(Role.ADMIN)
    ref = _first_server(client)
    short = client.post(f"/api/v1/servers/{ref}/reinstall", {"image_id": 1, "password": "p" * 11},
                        format="json")
    assert short.status_code == 400 and "password" in short.json()["error"]["fields"]
    response = client.post(f"/api/v1/servers/{ref}/reinstall", {"image_id": 1, "password": "p" * 12},
                           format="json", HTTP_IDEMPOTENCY_KEY="once")
    assert response.status_code == 202 and response.json()["kind"] == "reinstall"
    again = client.post(f"/api/v1/servers/{ref}/reinstall", {"image_id": 1, "password": "p" * 12},
                        format="json", HTTP_IDEMPOTENCY_KEY="once")
    assert again.json()["id"] == response.json()["id"]  # the same operation, not a second reinstall


def test_the_cross_account_list_names_every_account(api, vault, simulator) -> None:
    body = api(Role.VIEWER).get("/api/v1/team/servers").json()
    accounts = {item["account_id"] for item in body["data"]}
    assert accounts == {ALPHA, "admin@beta.example"} and body["warnings"] == []
    assert all(item["ref"] == f"{item['account_id']}:{item['server']['id']}" for item in body["data"])


def test_a_server_outside_the_members_scope_is_a_404(api, vault, simulator) -> None:
    owner = api(Role.OWNER)
    ref = _first_server(owner)
    limited = api(Role.OPERATOR, scope=[f"{ALPHA}:999999"])
    response = limited.post(f"/api/v1/servers/{ref}/restart", {}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_viewer_cannot_restart_and_it_is_audited(api, vault, simulator) -> None:
    client = api(Role.VIEWER)
    response = client.post(f"/api/v1/servers/{ALPHA}:1/restart", {}, format="json")
    assert response.status_code == 403
    assert "Viewer" in response.json()["error"]["message"]
    assert AuditEvent.objects.get(operation_id="servers_restart").outcome == "denied"


def test_bad_input_is_a_400_with_fields(api, vault, simulator) -> None:
    response = api().post("/api/v1/ssh-keys", {"name": ""}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) >= {"name", "key"}


def test_a_list_of_ids_and_choices_are_validated(api, vault, simulator) -> None:
    client = api()
    response = client.get("/api/v1/snapshots", {"account": ALPHA, "sort": "sideways"})
    assert response.status_code == 400 and "sort" in response.json()["error"]["fields"]
    assert client.get("/api/v1/snapshots", {"account": ALPHA, "sort": "-date"}).status_code == 200


def test_an_account_must_be_chosen_when_the_team_has_several(api, vault, simulator) -> None:
    response = api().get("/api/v1/ssh-keys")
    assert response.status_code == 422
    assert "account" in response.json()["error"]["fields"]


def test_no_vpsbg_token_is_a_clear_409(api, simulator) -> None:
    response = api().get("/api/v1/ssh-keys")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_usable_token"


def test_an_invoice_downloads_as_a_file(api, vault, simulator) -> None:
    client = api(Role.BILLING)
    invoices = client.get("/api/v1/invoices", {"account": ALPHA}).json()["data"]
    if not invoices:
        pytest.skip("the simulator's demo account has no invoice")
    response = client.post(f"/api/v1/invoices/{ALPHA}:{invoices[0]['id']}/download")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.get(operation_id="invoices_download").outcome == "ok"
