"""User, 2FA, SSH keys and support plans: the account-level rules."""

from __future__ import annotations

from typing import Any

import requests

from vpsbg_api.simulator import DEMO_2FA_SECRET, totp
from vpsbg_api.simulator.keys import demo_public_key
from vpsbg_api.simulator.testing import RunningSimulator


def api(
    sim: RunningSimulator, method: str, path: str, token: str = "alpha_rw", **kwargs: Any
) -> requests.Response:
    return requests.request(method, sim.base_url + path, headers=sim.headers(token), timeout=5, **kwargs)


def test_two_factor_enable_needs_the_issued_secret_and_a_valid_code(simulator: RunningSimulator) -> None:
    secret = api(simulator, "GET", "/user/2fa", "beta_rw").json()["secret_key"]
    now = simulator.sim.clock.now()
    wrong = api(simulator, "POST", "/user/2fa", "beta_rw", json={"secret_key": secret, "otp": 0})
    assert wrong.status_code == 422 and "otp" in wrong.json()["errors"]
    other = api(simulator, "POST", "/user/2fa", "beta_rw", json={"secret_key": "AAAAAAAAAAAAAAAA", "otp": 1})
    assert "secret_key" in other.json()["errors"]
    ok = api(
        simulator, "POST", "/user/2fa", "beta_rw", json={"secret_key": secret, "otp": int(totp(secret, now))}
    )
    assert ok.status_code == 204
    assert api(simulator, "GET", "/user", "beta_rw").json()["2fa_enabled"] is True


def test_two_factor_disable_needs_a_valid_code(simulator: RunningSimulator) -> None:
    assert api(simulator, "DELETE", "/user/2fa", json={"otp": 1}).status_code == 422
    code = int(totp(DEMO_2FA_SECRET, simulator.sim.clock.now()))
    assert api(simulator, "DELETE", "/user/2fa", json={"otp": code}).status_code == 204
    assert api(simulator, "GET", "/user").json()["2fa_enabled"] is False


def test_user_update_accepts_documented_and_example_names(simulator: RunningSimulator) -> None:
    r = api(simulator, "PATCH", "/user", json={"technical_email": "noc@alpha.example", "country_id": 12})
    assert r.json()["tech_email"] == "noc@alpha.example" and r.json()["country"]["code"] == "DE"
    r = api(simulator, "PATCH", "/user", json={"tech_email": "ops2@alpha.example"})
    assert r.json()["tech_email"] == "ops2@alpha.example"
    bad = api(simulator, "PATCH", "/user", json={"country_id": 9999, "technical_email": "nope"})
    assert set(bad.json()["errors"]) == {"country_id", "technical_email"}


def test_ssh_keys_reject_duplicates_and_show_their_servers(simulator: RunningSimulator) -> None:
    key = demo_public_key("new@laptop")
    created = api(simulator, "POST", "/ssh-keys", json={"name": "laptop", "key": key})
    assert created.status_code == 201 and created.json()["servers"] == []
    again = api(simulator, "POST", "/ssh-keys", json={"name": "laptop again", "key": key})
    assert again.status_code == 422 and "key" in again.json()["errors"]
    bad = api(simulator, "POST", "/ssh-keys", json={"name": "x", "key": "ssh-dss AAAA"})
    assert set(bad.json()["errors"]) == {"name", "key"}
    assert {s["id"] for s in api(simulator, "GET", "/ssh-keys/91").json()["servers"]} == {2865}


def test_support_plan_purchase_and_cancellation(simulator: RunningSimulator) -> None:
    order = api(
        simulator, "POST", "/support", "beta_rw", json={"billing_cycle": 1, "plan": "professional"}
    ).json()
    assert order["status"] == "paid" and order["amount"] == 15
    plans = api(simulator, "GET", "/support/plans", "beta_rw").json()
    assert next(p for p in plans["data"] if p["key"] == "professional")["active"] is True
    assert api(simulator, "POST", "/support/cancel", "beta_rw", json={"now": True}).status_code == 204
    assert api(simulator, "GET", "/support/plans", "beta_rw").json()["current"] is None
    assert api(simulator, "DELETE", "/support/cancel", "beta_rw").status_code == 422
