"""Floating IPs, reverse DNS and network protection behave like one consistent network."""

from __future__ import annotations

from typing import Any

import requests

from vpsbg_api.simulator.testing import RunningSimulator


def api(
    sim: RunningSimulator, method: str, path: str, token: str = "alpha_rw", **kwargs: Any
) -> requests.Response:
    return requests.request(method, sim.base_url + path, headers=sim.headers(token), timeout=5, **kwargs)


def protection_id(sim: RunningSimulator) -> int:
    return next(
        p["id"]
        for p in sim.sim.state.coll("protections").values()
        if p["_account"] == "alpha" and p["attacks"]
    )


def test_attach_locks_then_the_ip_shows_on_the_server(simulator: RunningSimulator) -> None:
    r = api(simulator, "POST", "/floating-ips/attach", json={"ids": [602], "server_id": 2864})
    fip = r.json()["data"][0]
    assert fip["locked"] is True and fip["lock_reason"] == "floating-ip-attach"
    assert api(simulator, "POST", "/floating-ips/detach", json={"ids": [602]}).status_code == 423
    assert api(simulator, "POST", "/servers/2864/restart").status_code == 423  # attaching reboots the server
    simulator.advance(5)
    server = api(simulator, "GET", "/servers/2864").json()
    assert fip["ip_address"]["ip_address"] in {ip["ip_address"] for ip in server["ip_addresses"]}
    assert api(simulator, "POST", "/floating-ips/detach", json={"ids": [602]}).status_code == 200
    simulator.advance(5)
    server = api(simulator, "GET", "/servers/2864").json()
    assert fip["ip_address"]["ip_address"] not in {ip["ip_address"] for ip in server["ip_addresses"]}


def test_floating_ip_of_another_account_is_a_field_error(simulator: RunningSimulator) -> None:
    r = api(simulator, "POST", "/floating-ips/attach", json={"ids": [620], "server_id": 2864})
    assert r.status_code == 422 and "ids.0" in r.json()["errors"]


def test_purchase_creates_an_order_and_active_ips(simulator: RunningSimulator) -> None:
    before = api(simulator, "GET", "/balance").json()["balance"]
    r = api(
        simulator, "POST", "/floating-ips", json={"billing_cycle": 3, "ipv4": 2, "ipv4_ddos": 0, "ipv6": 0}
    )
    ips = r.json()["data"]
    assert len(ips) == 2 and {ip["status"] for ip in ips} == {"active"}
    assert api(simulator, "GET", "/balance").json()["balance"] == round(before - 2 * 2.5 * 3 * 1.2, 2)
    order = api(simulator, "GET", "/orders").json()["data"][0]
    assert order["type"] == "new-floating-ip" and order["status"] == "paid"


def test_cancel_and_undo(simulator: RunningSimulator) -> None:
    assert (
        api(simulator, "POST", "/floating-ips/cancel", json={"ids": [610], "now": False}).status_code == 200
    )
    listed = {f["id"]: f for f in api(simulator, "GET", "/floating-ips").json()["data"]}
    assert listed[610]["cancel_request"] is not None
    assert api(simulator, "DELETE", "/floating-ips/cancel", json={"ids": [610]}).status_code == 200
    listed = {f["id"]: f for f in api(simulator, "GET", "/floating-ips").json()["data"]}
    assert listed[610]["cancel_request"] is None


def test_reverse_dns_shows_on_the_server(simulator: RunningSimulator) -> None:
    server = api(simulator, "GET", "/servers/2864").json()
    ip = next(i for i in server["ip_addresses"] if i["version"] == 4)
    r = api(simulator, "PATCH", f"/ip-addresses/{ip['id']}", json={"ptr": "mail.example.com"})
    assert r.json()["ptr"] == {ip["ip_address"]: "mail.example.com"}
    server = api(simulator, "GET", "/servers/2864").json()
    assert next(i for i in server["ip_addresses"] if i["id"] == ip["id"])["ptr"] == "mail.example.com"
    bad = api(simulator, "PATCH", f"/ip-addresses/{ip['id']}", json={"ptr": "not a hostname"})
    assert bad.status_code == 422


def test_lists_normalise_networks_and_reject_garbage(simulator: RunningSimulator) -> None:
    pid = protection_id(simulator)
    r = api(
        simulator,
        "POST",
        f"/network-protection/{pid}/blacklist",
        json={"networks": ["100.100.200.100", "100.100.100.0/24"]},
    )
    assert r.json() == {"active": True, "networks": ["100.100.200.100/32", "100.100.100.0/24"]}
    bad = api(simulator, "POST", f"/network-protection/{pid}/whitelist", json={"networks": ["300.1.1.1"]})
    assert bad.status_code == 422 and "networks.0" in bad.json()["errors"]
    empty = api(simulator, "POST", f"/network-protection/{pid}/whitelist", json={"networks": []})
    assert empty.status_code == 422
    assert api(simulator, "DELETE", f"/network-protection/{pid}/blacklist").status_code == 204
    assert api(simulator, "GET", f"/network-protection/{pid}/blacklist").json() == {
        "active": False,
        "networks": [],
    }


def test_geo_filter_set_update_delete(simulator: RunningSimulator) -> None:
    pid = protection_id(simulator)
    assert api(simulator, "GET", f"/network-protection/{pid}/geo").json()["countries"] == ["BG", "DE", "NL"]
    r = api(
        simulator, "PATCH", f"/network-protection/{pid}/geo", json={"action": "deny", "countries": ["cn"]}
    )
    assert r.json() == {"active": True, "action": "deny", "countries": ["CN"]}
    bad = api(
        simulator, "POST", f"/network-protection/{pid}/geo", json={"action": "block", "countries": ["CN"]}
    )
    assert bad.status_code == 422 and "action" in bad.json()["errors"]
    assert api(simulator, "DELETE", f"/network-protection/{pid}/geo").status_code == 204
    assert api(simulator, "GET", f"/network-protection/{pid}/geo").json()["active"] is False


def test_attacks_filter_by_time(simulator: RunningSimulator) -> None:
    pid = protection_id(simulator)
    everything = api(simulator, "GET", f"/network-protection/{pid}/attacks").json()
    assert everything["meta"]["total"] == 3
    recent = api(
        simulator,
        "GET",
        f"/network-protection/{pid}/attacks",
        params={"filter[start]": int(simulator.sim.clock.now()) - 86400},
    ).json()
    assert [a["ongoing"] for a in recent["data"]] == [True]
    assert api(simulator, "GET", f"/network-protection/{pid}/attacks/nope").status_code == 404
