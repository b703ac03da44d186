"""Network page: floating IPs (list, buy, cancel, keep), plans, and the account's protected addresses."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.operations.models import Operation
from tests.web.conftest import ALPHA, BETA, UBUNTU

pytestmark = pytest.mark.django_db

URL = reverse("web:network")
BUY = reverse("web:floating_ip_purchase")
IDLE, ATTACHED, PROTECTED = f"{ALPHA}:602", f"{ALPHA}:608", f"{ALPHA}:610"  # the simulator's seed


def _cancel(ref: str) -> str:
    return reverse("web:floating_ip_cancel", kwargs={"ref": ref})


def _keep(ref: str) -> str:
    return reverse("web:floating_ip_undo_cancel", kwargs={"ref": ref})


def test_viewer_sees_floating_ips_plans_and_protected_addresses_but_no_actions(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200
    assert "87.121.52.28" in body and "87.121.52.29" in body and "87.121.52.30" in body
    assert reverse("web:server_detail", kwargs={"ref": f"{ALPHA}:2865"}) in body  # attached to web-01
    assert "Cancellation requested" in body  # 602 has a pending cancellation
    assert "floating-ipv4-ddos" in body and "12.00" in body  # plans with prices
    assert "87.121.52.15" in body  # web-01's own protected address
    assert body.count("/network/protection/") >= 2
    assert BUY not in body and "/cancel/" not in body and "/undo-cancel/" not in body


def test_admin_is_offered_buy_cancel_keep_and_detach(web_team, member_of) -> None:
    body = member_of(Role.ADMIN).get(URL, {"account": ALPHA}).content.decode()
    assert BUY in body
    assert _cancel(PROTECTED) in body and _keep(IDLE) in body and _cancel(IDLE) not in body
    assert reverse("web:server_detach_floating_ip", kwargs={"ref": f"{ALPHA}:2865"}) in body


def test_accounts_are_chosen_with_a_parameter(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    body = browser.get(URL, {"account": BETA}).content.decode()
    assert "Beta Hosting Ltd" in body and "87.121.52.28" not in body
    assert browser.get(URL, {"account": "nobody@example"}).status_code == 404


def test_each_section_fails_on_its_own(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("floating_ips_list", status=500)
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200
    assert "VPSBG unavailable" in body and "Retry" in body
    assert "floating-ipv4-ddos" in body and "87.121.52.15" in body  # plans and servers still show


# -- buying ----------------------------------------------------------------------------------------
def test_buy_page_shows_plans_and_the_cost(web_team, member_of) -> None:
    response = member_of(Role.ADMIN).get(
        BUY, {"account": ALPHA, "ipv4": "2", "ipv4_ddos": "1", "ipv6": "0", "billing_cycle": "3"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    # 2 x 3.00 x 3 months + 1 x 12.00 x 3 months, VAT included
    assert "Total: 54.00\u00a0EUR" in body and "45.00\u00a0EUR without VAT" in body
    assert "web-01.alpha.example" in body  # servers to attach to
    assert 'value="2"' in body  # what the person chose stays


def test_buying_needs_the_account_name_typed(web_team, member_of) -> None:
    response = member_of(Role.ADMIN).post(
        f"{BUY}?account={ALPHA}", {"ipv4": "1", "ipv4_ddos": "0", "ipv6": "0", "billing_cycle": "1"}
    )
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert not Operation.objects.exists()


def test_buying_nothing_is_a_field_error(web_team, member_of) -> None:
    response = member_of(Role.ADMIN).post(
        f"{BUY}?account={ALPHA}",
        {"ipv4": "0", "ipv4_ddos": "0", "ipv6": "0", "billing_cycle": "1", "confirm": "Alpha Ops Ltd"},
    )
    assert response.status_code == 422
    assert "Buy at least one IP address." in response.content.decode()


def test_buying_starts_one_operation(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    response = browser.post(
        f"{BUY}?account={ALPHA}",
        {
            "ipv4": "1", "ipv4_ddos": "0", "ipv6": "0", "billing_cycle": "3", "server": UBUNTU,
            "confirm": "alpha ops ltd", "reason": "new site", "request_key": "k1",
        },
    )  # fmt: skip
    operation = Operation.objects.get()
    assert response.status_code == 302 and response["Location"] == operation.get_absolute_url()
    assert operation.kind == "floating_ip_purchase"
    assert operation.params["ipv4"] == 1 and operation.params["billing_cycle"] == 3
    assert operation.params["server"] == UBUNTU


def test_buy_page_without_plans_says_so(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("floating_ips_plans", status=500)
    response = member_of(Role.ADMIN).get(BUY, {"account": ALPHA})
    assert response.status_code == 200
    assert "VPSBG unavailable" in response.content.decode() and "Retry" in response.content.decode()


# -- cancelling and keeping -----------------------------------------------------------------------
def test_cancel_needs_the_address_typed(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    page = browser.get(_cancel(ATTACHED)).content.decode()
    assert "web-01.alpha.example" in page and "restarts" in page  # what will happen
    response = browser.post(_cancel(ATTACHED), {"when": "end", "confirm": "87.121.52.1"})
    assert response.status_code == 422 and "Type exactly “87.121.52.29”" in response.content.decode()
    assert not AuditEvent.objects.filter(operation_id="floating_ips_cancel").exists()


def test_cancel_then_keep(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    response = browser.post(
        _cancel(PROTECTED), {"when": "end", "confirm": "87.121.52.30", "reason": "moving"}, follow=True
    )
    body = response.content.decode()
    assert "Cancellation requested for 87.121.52.30." in body and _keep(PROTECTED) in body
    event = AuditEvent.objects.get(operation_id="floating_ips_cancel")
    assert event.outcome == "ok" and "moving" in event.reason
    response = browser.post(_keep(PROTECTED), {"reason": "changed my mind"}, follow=True)
    assert "Cancellation withdrawn for 87.121.52.30." in response.content.decode()
    assert AuditEvent.objects.get(operation_id="floating_ips_cancel_undo").outcome == "ok"


def test_nothing_to_keep_offers_no_form(web_team, member_of) -> None:
    body = member_of(Role.ADMIN).get(_keep(PROTECTED)).content.decode()
    assert "no cancellation to withdraw" in body and "action-form" not in body


def test_upstream_failure_of_a_cancel_is_a_message_and_one_failed_event(
    web_team, simulator, member_of
) -> None:
    simulator.sim.faults.add("floating_ips_cancel", status=500)
    response = member_of(Role.ADMIN).post(_cancel(PROTECTED), {"when": "now", "confirm": "87.121.52.30"})
    assert response.status_code == 422 and "VPSBG unavailable" in response.content.decode()
    assert [e.outcome for e in AuditEvent.objects.filter(operation_id="floating_ips_cancel")] == ["failed"]


def test_unknown_and_foreign_floating_ips_are_404(web_team, other_team, member_of) -> None:
    assert member_of(Role.ADMIN).get(_cancel(f"{ALPHA}:999")).status_code == 404
    assert member_of(Role.OWNER, other_team).get(_cancel(PROTECTED)).status_code == 404


def test_a_member_limited_to_servers_may_not_cancel(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    response = browser.post(_cancel(PROTECTED), {"when": "end", "confirm": "87.121.52.30"})
    assert response.status_code == 403 and "limited" in response.content.decode()


def test_the_network_entry_of_the_menu_is_live(web_team, member_of) -> None:
    body = member_of(Role.VIEWER).get(URL).content.decode()
    assert re.search(r'<a[^>]+href="/network/"', body)
