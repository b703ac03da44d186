"""Tokens (401, 403 for a read-only token's writes, 404 across accounts) and HTTP itself: methods,
routes and bodies refused as a Laravel API refuses them."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

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
    assert r.headers["Allow"] == "GET, HEAD, POST"
    assert r.json()["message"].endswith("Supported methods: GET, HEAD, POST.")


def test_head_is_a_get_without_the_body(simulator: RunningSimulator) -> None:
    url = simulator.base_url + "/servers/2864"
    got = requests.get(url, headers=simulator.headers(), timeout=5)
    head = requests.head(url, headers=simulator.headers(), timeout=5)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"] == "application/json"
    assert head.headers["Content-Length"] == got.headers["Content-Length"] != "0"
    missing = requests.head(simulator.base_url + "/servers/9999", headers=simulator.headers(), timeout=5)
    assert missing.status_code == 404


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE"])
def test_options_and_trace_are_405_in_json(simulator: RunningSimulator, method: str) -> None:
    r = requests.request(method, simulator.base_url + "/servers/2864", headers=simulator.headers(), timeout=5)
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    assert r.json()["message"] == (
        f"The {method} method is not supported for route v1/servers/2864. Supported methods: GET, HEAD."
    )


def test_refusals_of_the_http_layer_are_json_too(simulator: RunningSimulator) -> None:
    r = requests.request("BREW", simulator.base_url + "/servers", headers=simulator.headers(), timeout=5)
    assert r.status_code == 501
    assert r.json()["message"]
    address = urlsplit(simulator.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as conn:
        conn.sendall(b"GARBAGE\r\n\r\n")
        answer = conn.makefile("rb").read()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"Content-Type: application/json" in head
    assert json.loads(body) == {"message": "Bad request syntax ('GARBAGE')"}


@pytest.mark.parametrize(
    ("method", "path", "errors"),
    [
        ("PATCH", "/servers/2864/ssh-keys", {"ssh_keys": ["The ssh_keys field is required."]}),
        (
            "POST",
            "/servers/2864/isos",
            {
                "primary_iso_id": [
                    "The primary_iso_id field is required when none of secondary_iso_id are present."
                ],
                "secondary_iso_id": [
                    "The secondary_iso_id field is required when none of primary_iso_id are present."
                ],
            },
        ),
        ("PATCH", "/user", None),
        (
            "POST",
            "/ssh-keys",
            {"name": ["The name field is required."], "key": ["The key field is required."]},
        ),
    ],
)
def test_a_missing_required_body_is_422(
    simulator: RunningSimulator, method: str, path: str, errors: dict[str, list[str]] | None
) -> None:
    before = simulator.sim.state.snapshot()
    r = requests.request(method, simulator.base_url + path, headers=simulator.headers(), timeout=5)
    assert r.status_code == 422, r.text
    if errors is not None:
        assert r.json()["errors"] == errors
    else:  # every field of the profile is optional: each is named, as Laravel's rule names them
        city = r.json()["errors"]["city"][0]
        assert city.startswith("The city field is required when none of address / country_id / ")
    assert simulator.sim.state.snapshot() == before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": 0}, "The page field must be at least 1."),
        ({"per_page": 51}, "The per_page field must be between 1 and 50."),
    ],
)
def test_out_of_range_query_names_the_bounds_there_are(
    simulator: RunningSimulator, query: dict[str, int], message: str
) -> None:
    r = requests.get(simulator.base_url + "/servers", params=query, headers=simulator.headers(), timeout=5)
    assert r.status_code == 422
    assert r.json()["message"] == message


def test_non_numeric_id_is_404_not_a_crash(simulator: RunningSimulator) -> None:
    r = requests.get(simulator.base_url + "/servers/abc", headers=simulator.headers(), timeout=5)
    assert r.status_code == 404
