"""Tokens: 401 without a valid one, 403 for a read-only token's writes, 404 across accounts."""

from __future__ import annotations

import pytest
import requests

from vpsbg_api.simulator.spec import operations
from vpsbg_api.simulator.testing import RunningSimulator

WRITE_OPS = sorted(op_id for op_id, op in operations().items() if op.method != "GET")


def _url(simulator: RunningSimulator, template: str) -> str:
    path = template
    for name in ("id", "server_id", "server_addon_id", "attachment_id", "service_id"):
        path = path.replace("{" + name + "}", "2864")
    return simulator.base_url + path.replace("{service_type}", "server")


@pytest.mark.parametrize("operation_id", WRITE_OPS)
def test_read_only_token_cannot_write(simulator: RunningSimulator, operation_id: str) -> None:
    op = operations()[operation_id]
    before = simulator.sim.state.snapshot()
    r = requests.request(
        op.method, _url(simulator, op.template), json={}, headers=simulator.headers("alpha_ro"), timeout=5
    )
    assert r.status_code == 403, r.text
    assert "read-only" in r.json()["message"]
    assert simulator.sim.state.snapshot() == before


def test_read_only_token_can_read(simulator: RunningSimulator) -> None:
    r = requests.get(simulator.base_url + "/servers/2864", headers=simulator.headers("alpha_ro"), timeout=5)
    assert r.status_code == 200
    assert r.json()["hostname"] == "ubuntu-2gb"


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_unknown_or_missing_token_is_401(simulator: RunningSimulator, header: str | None) -> None:
    headers = {"Accept": "application/json"}
    if header is not None:
        headers["Authorization"] = header
    r = requests.get(simulator.base_url + "/servers", headers=headers, timeout=5)
    assert r.status_code == 401
    assert r.json() == {"message": "Unauthenticated."}


@pytest.mark.parametrize(
    "path",
    [
        "/servers/2864",
        "/servers/2864/status",
        "/ssh-keys/90",
        "/support/tickets/216",
        "/orders/7801",
        "/isos/101",
        "/servers/2864/addons",
    ],
)
def test_other_accounts_resources_are_404(simulator: RunningSimulator, path: str) -> None:
    r = requests.get(simulator.base_url + path, headers=simulator.headers("beta_rw"), timeout=5)
    assert r.status_code == 404, r.text
    assert "message" in r.json()


def test_beta_sees_only_its_servers(simulator: RunningSimulator) -> None:
    r = requests.get(simulator.base_url + "/servers", headers=simulator.headers("beta_rw"), timeout=5)
    assert {s["id"] for s in r.json()["data"]} == {2950, 2951}


def test_other_accounts_server_cannot_be_rebooted(simulator: RunningSimulator) -> None:
    r = requests.post(
        simulator.base_url + "/servers/2864/restart", headers=simulator.headers("beta_rw"), timeout=5
    )
    assert r.status_code == 404


def test_unknown_route_and_method(simulator: RunningSimulator) -> None:
    assert (
        requests.get(simulator.base_url + "/nope", headers=simulator.headers(), timeout=5).status_code == 404
    )
    r = requests.put(simulator.base_url + "/servers", headers=simulator.headers(), timeout=5)
    assert r.status_code == 405


def test_non_numeric_id_is_404_not_a_crash(simulator: RunningSimulator) -> None:
    r = requests.get(simulator.base_url + "/servers/abc", headers=simulator.headers(), timeout=5)
    assert r.status_code == 404
