"""Server actions declared in `panel.actions` through the API: the body is the input type's, the
URL's own parts (an addon's id) join it, and account-wide actions (renew, deploy) name their
servers or account in the body."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role

from .conftest import ALPHA

pytestmark = pytest.mark.django_db


def _first_server(client) -> str:
    listed = client.get("/api/v1/servers", {"account": ALPHA})
    return f"{ALPHA}:{listed.json()['data'][0]['id']}"


def test_a_rename_takes_the_host_name_rule(api, vault, simulator) -> None:
    client = api(Role.OPERATOR)
    ref = _first_server(client)
    bad = client.put(f"/api/v1/servers/{ref}/hostname", {"hostname": "-bad_name-"}, format="json")
    assert bad.status_code == 400 and "hostname" in bad.json()["error"]["fields"]
    renamed = {"hostname": "API-Renamed.example.com"}
    good = client.put(f"/api/v1/servers/{ref}/hostname", renamed, format="json")
    assert good.status_code == 200, good.content
    assert client.get(f"/api/v1/servers/{ref}").json()["hostname"] == "api-renamed.example.com"


def test_a_renewal_names_its_servers_and_a_cycle_vpsbg_sells(api, vault, simulator) -> None:
    client = api(Role.OWNER)
    ref = _first_server(client)
    odd = client.post("/api/v1/servers/renew", {"servers": [ref], "billing_cycle": 2}, format="json")
    assert odd.status_code == 400 and "billing_cycle" in odd.json()["error"]["fields"]
    twice = client.post("/api/v1/servers/renew", {"servers": [ref, ref], "billing_cycle": 3}, format="json")
    assert twice.status_code == 400 and "servers" in twice.json()["error"]["fields"]
    response = client.post("/api/v1/servers/renew", {"servers": [ref], "billing_cycle": 3}, format="json")
    assert response.status_code == 202 and response.json()["kind"] == "renew"


def test_a_deploy_takes_one_hostname_or_several(api, vault, simulator) -> None:
    client = api(Role.OWNER)
    body = {"account": ALPHA, "plan": "cloud-vps-2gb", "billing_cycle": 3, "image_id": 73}
    both = client.post("/api/v1/servers", {**body, "name": "api-01.example.com", "snapshot_id": 5},
                       format="json")  # fmt: skip
    assert both.status_code == 400 and "image_id" in both.json()["error"]["fields"]
    response = client.post("/api/v1/servers", {**body, "name": "api-01.example.com"}, format="json")
    assert response.status_code == 202 and response.json()["kind"] == "deploy", response.json()


def test_an_addon_is_named_by_the_url(api, vault, simulator) -> None:
    client = api(Role.ADMIN)
    ref = _first_server(client)
    response = client.post(f"/api/v1/servers/{ref}/addons/999999", {"now": False}, format="json")
    assert response.status_code in (404, 422), response.content  # VPSBG has no such addon
    missing = client.post(f"/api/v1/servers/{ref}/addons/0", {"now": False}, format="json")
    assert missing.status_code == 400 and "server_addon_id" in missing.json()["error"]["fields"]
