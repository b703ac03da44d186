"""Behaviour over time and money: locks, power, deploys, orders and balance, lists, validation."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import requests

from vpsbg_api.simulator.testing import RunningSimulator


def api(
    sim: RunningSimulator, method: str, path: str, token: str = "alpha_rw", **kwargs: Any
) -> requests.Response:
    return requests.request(method, sim.base_url + path, headers=sim.headers(token), timeout=5, **kwargs)


def balance(sim: RunningSimulator, token: str = "alpha_rw") -> float:
    return api(sim, "GET", "/balance", token).json()["balance"]


# ---- locks and time ---------------------------------------------------------------------
def test_accepted_writes_are_recorded_in_order_refused_ones_are_not(simulator: RunningSimulator) -> None:
    api(simulator, "GET", "/servers/2864")
    api(simulator, "POST", "/servers/2864/reinstall", json={"image_id": 80, "password": "correct-horse"})
    assert api(simulator, "POST", "/servers/2864/restart").status_code == 423  # locked: refused
    assert simulator.sim.writes == [("servers_reinstall", "/servers/2864/reinstall")]


def test_reinstall_locks_the_server_until_the_action_ends(simulator: RunningSimulator) -> None:
    r = api(simulator, "POST", "/servers/2864/reinstall", json={"image_id": 80, "password": "correct-horse"})
    assert r.status_code == 200 and r.json()["locked"] is True
    assert api(simulator, "GET", "/servers/2864/status").json()["running"] is False

    second = api(simulator, "POST", "/servers/2864/restart")
    assert second.status_code == 423
    assert second.json()["message"]

    simulator.advance(5)
    server = api(simulator, "GET", "/servers/2864").json()
    assert server["locked"] is False
    assert server["server_image"]["name"] == "Debian 12"
    assert api(simulator, "GET", "/servers/2864/status").json()["running"] is True
    assert api(simulator, "POST", "/servers/2864/restart").status_code == 204


def test_seeded_mid_reinstall_server_is_locked(simulator: RunningSimulator) -> None:
    assert api(simulator, "GET", "/servers/2870").json()["locked"] is True
    assert api(simulator, "PUT", "/servers/2870/hostname", json={"hostname": "x.example"}).status_code == 423


def test_stop_then_start_shows_in_status(simulator: RunningSimulator) -> None:
    assert api(simulator, "POST", "/servers/2864/stop").status_code == 204
    simulator.advance(5)
    assert api(simulator, "GET", "/servers/2864/status").json()["running"] is False
    assert api(simulator, "POST", "/servers/2864/stop").status_code == 422
    assert api(simulator, "POST", "/servers/2864/start").status_code == 204
    simulator.advance(5)
    assert api(simulator, "GET", "/servers/2864/status").json()["running"] is True


def test_rescue_mode_round_trip(simulator: RunningSimulator) -> None:
    assert api(simulator, "POST", "/servers/2864/rescue").status_code == 202
    simulator.advance(5)
    assert api(simulator, "GET", "/servers/2864/status").json()["rescue_mode"] is True
    assert api(simulator, "DELETE", "/servers/2864/rescue").status_code == 202
    simulator.advance(5)
    assert api(simulator, "GET", "/servers/2864/status").json()["rescue_mode"] is False


def test_snapshot_appears_when_the_action_ends(simulator: RunningSimulator) -> None:
    r = api(simulator, "POST", "/servers/2864/snapshots", json={"name": "pre-deploy"})
    assert r.status_code == 202
    names = lambda: [s["name"] for s in api(simulator, "GET", "/snapshots").json()["data"]]  # noqa: E731
    assert "pre-deploy" not in names()
    simulator.advance(5)
    assert "pre-deploy" in names()


# ---- orders and balance -----------------------------------------------------------------
def test_deploy_pays_from_balance_and_the_server_comes_up(simulator: RunningSimulator) -> None:
    before = balance(simulator)
    r = api(
        simulator,
        "POST",
        "/servers",
        json={"name": "app-1", "plan": "cloud-vps-2gb", "billing_cycle": 1, "image_id": 73},
    )
    assert r.status_code == 201
    order = r.json()
    assert order["status"] == "paid" and order["type"] == "new-service"
    assert order["amount_with_vat"] == round(22.33 * 1.2, 2)
    assert balance(simulator) == round(before - order["amount_with_vat"], 2)
    listed = api(
        simulator, "GET", "/servers", params={"filter[search]": "app-1", "filter[status]": "processing"}
    )
    server = listed.json()["data"][0]
    assert server["status"] == "processing" and server["locked"] is True
    simulator.advance(5)
    server = api(simulator, "GET", f"/servers/{server['id']}").json()
    assert server["status"] == "active" and server["locked"] is False
    txs = api(simulator, "GET", "/balance/transactions").json()["data"]
    assert txs[0]["order_id"] == order["id"] and txs[0]["amount"] == -order["amount_with_vat"]


def test_order_waits_for_payment_when_balance_is_short(simulator: RunningSimulator) -> None:
    assert balance(simulator, "beta_rw") == 150.0 - round(22.33 * 1.2, 2) - round(39 * 1.2, 2)
    r = api(
        simulator,
        "POST",
        "/servers",
        "beta_rw",
        json={"name": ["b1", "b2"], "plan": "cloud-vps-16gb", "billing_cycle": 1, "image_id": 73},
    )
    order = r.json()
    assert order["status"] == "awaiting_payment" and order["amount_from_balance"] == 0
    start = balance(simulator, "beta_rw")
    short = api(
        simulator, "POST", "/orders/pay", "beta_rw", json={"ids": [order["id"]], "payment_method": "balance"}
    )
    assert short.status_code == 422 and "payment_method" in short.json()["errors"]
    assert balance(simulator, "beta_rw") == start

    deposit = api(simulator, "POST", "/balance", "beta_rw", json={"amount": 300, "payment_method": "card"})
    assert deposit.status_code == 201 and deposit.json()["status"] == "paid"
    assert balance(simulator, "beta_rw") == round(start + 360, 2)

    paid = api(simulator, "POST", "/orders/pay", "beta_rw", json={"ids": [order["id"]]})
    assert paid.status_code == 200
    assert api(simulator, "GET", f"/orders/{order['id']}", "beta_rw").json()["status"] == "paid"
    assert balance(simulator, "beta_rw") == round(start + 360 - order["amount_with_vat"], 2)
    hostnames = {
        s["hostname"]
        for s in api(simulator, "GET", "/servers", "beta_rw", params={"filter[status]": "processing"}).json()[
            "data"
        ]
    }
    assert hostnames == {"b1", "b2"}


def test_auto_pay_off_leaves_the_order_waiting(simulator: RunningSimulator) -> None:
    before = balance(simulator)
    r = api(
        simulator,
        "POST",
        "/servers",
        json={
            "name": "manual",
            "plan": "cloud-vps-1gb",
            "billing_cycle": 1,
            "image_id": 73,
            "auto_pay": False,
        },
    )
    order = r.json()
    assert order["status"] == "awaiting_payment" and balance(simulator) == before
    cancelled = api(simulator, "DELETE", f"/orders/{order['id']}")
    assert cancelled.json()["status"] == "cancelled"
    assert api(simulator, "POST", "/orders/pay", json={"ids": [order["id"]]}).status_code == 422


def test_paying_the_renewal_unsuspends_the_server(simulator: RunningSimulator) -> None:
    orders = api(simulator, "GET", "/orders", params={"filter[status]": "awaiting_payment"}).json()["data"]
    renewal = next(o for o in orders if o["type"] == "renew-service")
    assert api(simulator, "GET", "/servers/2869").json()["status"] == "suspended"
    assert api(simulator, "POST", "/orders/pay", json={"ids": [renewal["id"]]}).status_code == 200
    assert api(simulator, "GET", "/servers/2869").json()["status"] == "active"


def test_bank_payment_is_processing_then_paid(simulator: RunningSimulator) -> None:
    deposit = next(o for o in api(simulator, "GET", "/orders").json()["data"] if o["type"] == "deposit")
    before = balance(simulator)
    api(simulator, "POST", "/orders/pay", json={"ids": [deposit["id"]], "payment_method": "bank"})
    assert api(simulator, "GET", f"/orders/{deposit['id']}").json()["status"] == "processing"
    simulator.advance(5)
    assert api(simulator, "GET", f"/orders/{deposit['id']}").json()["status"] == "paid"
    assert balance(simulator) == round(before + deposit["amount_with_vat"], 2)


def test_renewal_calculation_applies_the_promo_code(simulator: RunningSimulator) -> None:
    r = api(
        simulator,
        "POST",
        "/servers/renew/calculate",
        json={"server_ids": [2864], "billing_cycle": 6, "promo_code": "fall2406"},
    )
    body = r.json()
    assert body["promo_code"]["percentage"] == 15
    assert body["due_today_amount"] < body["amount"]
    bad = api(
        simulator,
        "POST",
        "/servers/renew/calculate",
        json={"server_ids": [2864], "billing_cycle": 1, "promo_code": "fall2406"},
    )
    assert bad.status_code == 422 and "promo_code" in bad.json()["errors"]


def test_invoice_download_is_a_pdf_with_a_filename(simulator: RunningSimulator) -> None:
    invoice = api(simulator, "GET", "/invoices").json()["data"][0]
    r = api(simulator, "POST", f"/invoices/{invoice['id']}/download")
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF-")
    assert r.headers["Content-Type"] == "application/pdf"
    assert f'filename="invoice-{invoice["invoice_number"]}.pdf"' in r.headers["Content-Disposition"]
    many = api(simulator, "POST", "/invoices/download", json={})
    archive = zipfile.ZipFile(io.BytesIO(many.content))
    assert all(archive.read(n).startswith(b"%PDF-") for n in archive.namelist())
    assert "invoices.zip" in many.headers["Content-Disposition"]


def test_ticket_attachment_round_trip(simulator: RunningSimulator) -> None:
    r = api(
        simulator,
        "POST",
        "/support/tickets/216/messages",
        data={"message": "Here is the log file."},
        files=[("attachments[]", ("app.log", b"boom\n", "text/plain"))],
    )
    message = r.json()["messages"][-1]
    attachment = message["attachments"][0]
    got = api(simulator, "GET", f"/support/tickets/216/attachments/{attachment['id']}")
    assert got.content == b"boom\n" and "app.log" in got.headers["Content-Disposition"]


# ---- validation ----------------------------------------------------------------------------
def test_bad_deploy_body_gives_field_errors(simulator: RunningSimulator) -> None:
    r = api(simulator, "POST", "/servers", json={"plan": "cloud-vps-2gb", "billing_cycle": 99})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors["name"] == ["The name field is required."]
    assert "billing_cycle" in errors


def test_semantic_validation_of_deploy(simulator: RunningSimulator) -> None:
    r = api(
        simulator,
        "POST",
        "/servers",
        json={"name": "x", "plan": "no-such-plan", "billing_cycle": 1, "image_id": 99999, "ssh_keys": [92]},
    )
    errors = r.json()["errors"]
    assert set(errors) >= {"plan", "image_id", "ssh_keys.0"}


def test_wrong_types_and_bad_json(simulator: RunningSimulator) -> None:
    r = api(simulator, "PUT", "/servers/2864/password", json={"password": 123})
    assert r.status_code == 422 and r.json()["errors"]["password"]
    raw = requests.post(
        simulator.base_url + "/ssh-keys",
        data=b"{not json",
        headers={**simulator.headers(), "Content-Type": "application/json"},
        timeout=5,
    )
    assert raw.status_code == 400
    assert api(simulator, "GET", "/servers", params={"per_page": 51}).status_code == 422
    assert api(simulator, "GET", "/servers", params={"sort[created_at]": "up"}).status_code == 422


# ---- lists ---------------------------------------------------------------------------------
def test_servers_pagination_filters_and_sort(simulator: RunningSimulator) -> None:
    page = api(simulator, "GET", "/servers", params={"per_page": 3, "page": 2}).json()
    assert page["meta"]["per_page"] == 3 and page["meta"]["current_page"] == 2
    assert page["meta"]["total"] == 11  # active + suspended by default (not processing)
    assert len(page["data"]) == 3 and page["links"]["prev"] and page["links"]["next"]
    suspended = api(simulator, "GET", "/servers", params={"filter[status]": "suspended"}).json()["data"]
    assert [s["id"] for s in suspended] == [2869]
    asc = api(simulator, "GET", "/servers", params={"sort[created_at]": "asc", "per_page": 50}).json()["data"]
    assert [s["created_at"] for s in asc] == sorted(s["created_at"] for s in asc)
    ip = asc[0]["ip_addresses"][0]["ip_address"]
    by_ip = api(simulator, "GET", "/servers", params={"filter[ip]": ip}).json()["data"]
    assert [s["id"] for s in by_ip] == [asc[0]["id"]]


def test_benchmark_seed_walks_500_servers(simulator: RunningSimulator) -> None:
    from vpsbg_api.simulator.testing import running_simulator

    with running_simulator(servers=500) as big:
        session = requests.Session()
        seen, page = 0, 1
        while True:
            body = session.get(
                big.base_url + "/servers",
                params={"per_page": 50, "page": page},
                headers=big.headers(),
                timeout=5,
            ).json()
            seen += len(body["data"])
            if not body["links"]["next"]:
                break
            page += 1
        assert seen == 511


def test_metrics_are_deterministic(simulator: RunningSimulator) -> None:
    a = api(
        simulator,
        "GET",
        "/servers/2864/bandwidth",
        params={"filter[start]": 1764000000, "filter[end]": 1764200000},
    ).json()
    b = api(
        simulator,
        "GET",
        "/servers/2864/bandwidth",
        params={"filter[start]": 1764000000, "filter[end]": 1764200000},
    ).json()
    assert a == b and len(a["daily_usage"]) == 3


def test_support_answers_a_new_ticket_later(simulator: RunningSimulator) -> None:
    r = api(
        simulator,
        "POST",
        "/support/tickets",
        data={"department_id": "2", "subject": "Disk full", "message": "The disk is full again."},
    )
    ticket = r.json()
    assert ticket["status"] == "opened" and len(ticket["messages"]) == 1
    simulator.advance(5)
    later = api(simulator, "GET", f"/support/tickets/{ticket['id']}").json()
    assert later["status"] == "answered"
    assert later["messages"][-1]["is_customer"] is False


def test_ticket_without_required_fields_is_422(simulator: RunningSimulator) -> None:
    r = api(
        simulator,
        "POST",
        "/support/tickets",
        data={"department_id": "abc", "subject": "x"},
        files=[("attachments[]", ("a.txt", b"a", "text/plain"))],
    )
    assert r.status_code == 422
    assert set(r.json()["errors"]) >= {"department_id", "subject", "message"}
