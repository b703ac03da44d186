"""Billing: balance, deposit, transactions, invoices (one, several), orders (pay, delete, update)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.operations.models import Operation
from panel.services import billing
from tests.web.conftest import ALPHA, UBUNTU

pytestmark = pytest.mark.django_db

URL = reverse("web:billing")
ORDER = f"{ALPHA}:7814"  # a renewal awaiting payment


def order_url(name: str, ref: str = ORDER) -> str:
    return reverse(f"web:{name}", kwargs={"ref": ref})


def test_overview_for_a_viewer_has_no_money_actions(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200
    assert "2492.06" in body and "Payment of order #7811" in body and "0000007715" in body
    assert order_url("order") in body
    assert reverse("web:deposit") not in body and reverse("web:invoices_download") not in body


def test_billing_member_deposits(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    response = browser.post(
        f"{reverse('web:deposit')}?account={ALPHA}", {"amount": "50", "payment_method": "bank"}
    )
    assert response.status_code == 302 and "/billing/orders/" in response["Location"]
    assert AuditEvent.objects.filter(operation_id="balance_deposit", outcome="ok").exists()


def test_bad_deposit_amount_is_a_field_error(web_team, member_of) -> None:
    response = member_of(Role.BILLING).post(
        f"{reverse('web:deposit')}?account={ALPHA}", {"amount": "-5", "payment_method": "bank"}
    )
    assert response.status_code == 422 and "greater than or equal to 1" in response.content.decode()


def test_invoice_download_is_a_pdf_and_audited(web_team, member_of) -> None:
    response = member_of(Role.BILLING).get(order_url("invoice_download", f"{ALPHA}:8728"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF") and "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(operation_id="invoices_download").exists()


def test_several_invoices(web_team, member_of) -> None:
    response = member_of(Role.BILLING).post(
        f"{reverse('web:invoices_download')}?account={ALPHA}", {"ids": ["8728", "8727"]}
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_no_invoice_chosen_is_a_message(web_team, member_of) -> None:
    response = member_of(Role.BILLING).post(
        f"{reverse('web:invoices_download')}?account={ALPHA}", {}, follow=True
    )
    assert "Choose at least one invoice." in response.content.decode()


def test_order_page_offers_pay_and_delete_to_billing_only(web_team, member_of) -> None:
    body = member_of(Role.BILLING).get(order_url("order")).content.decode()
    assert order_url("order_pay") in body and order_url("order_delete") in body and "Renewal period" in body
    body = member_of(Role.ADMIN).get(order_url("order")).content.decode()
    assert order_url("order_pay") not in body


def test_pay_shows_amount_and_balance_then_starts_one_operation(web_team, member_of) -> None:
    import re

    browser = member_of(Role.BILLING)
    page = browser.get(order_url("order_pay")).content.decode()
    assert "47.99" in page and "2492.06" in page
    key = re.search(r'name="request_key" value="([0-9a-f]+)"', page).group(1)
    wrong = browser.post(order_url("order_pay"), {"request_key": key, "confirm_order": "7815"})
    assert wrong.status_code == 422 and "Type the order number exactly" in wrong.content.decode()
    assert not Operation.objects.exists()
    data = {"request_key": key, "confirm_order": "#7814", "reason": "month end"}
    response = browser.post(order_url("order_pay"), data)
    operation = Operation.objects.get()
    assert response["Location"] == operation.get_absolute_url() and operation.kind == "pay_orders"
    assert operation.data["reason"] == "month end"
    browser.post(order_url("order_pay"), data)
    assert Operation.objects.count() == 1  # a double click pays once


def test_delete_order(web_team, member_of) -> None:
    data = {"reason": "duplicate", "confirm_order": "7814"}
    response = member_of(Role.BILLING).post(order_url("order_delete"), data, follow=True)
    assert "Order 7814 deleted." in response.content.decode()
    assert AuditEvent.objects.get(operation_id="orders_delete").reason == "duplicate"


def test_update_order_and_renewal_period(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    response = browser.post(
        order_url("order_update"), {"auto_pay": "on", "payment_method": "balance"}, follow=True
    )
    assert "Order updated." in response.content.decode()
    response = browser.post(
        order_url("order_renewal_period"), {"service": "server:2869", "billing_cycle": "6"}, follow=True
    )
    assert "Renewal period changed." in response.content.decode()
    response = browser.post(order_url("order_renewal_period"), {"service": "server:1", "billing_cycle": "6"})
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()


def test_upstream_trouble_per_section(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("invoices_list", status=500)
    body = member_of(Role.VIEWER).get(URL, {"account": ALPHA}).content.decode()
    assert "Retry" in body and "2492.06" in body


def test_scoped_member_cannot_deposit(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    response = browser.post(
        f"{reverse('web:deposit')}?account={ALPHA}", {"amount": "50", "payment_method": "bank"}
    )
    assert response.status_code in (403, 422) and "limited" in response.content.decode()


def test_another_teams_order_is_404(web_team, other_team, member_of) -> None:
    outsider = member_of(Role.OWNER, other_team)
    assert outsider.get(order_url("order")).status_code == 404
    assert outsider.get(order_url("invoice_download", f"{ALPHA}:8728")).status_code == 404


def _limited(member_of, role: Role = Role.BILLING):
    browser = member_of(role)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    return browser


def test_a_member_limited_to_servers_sees_no_money_and_only_their_orders(web_team, member_of) -> None:
    owner = member_of(Role.OWNER)
    owners_page = owner.get(URL, {"account": ALPHA}).content.decode()
    assert "2492.06" in owners_page and order_url("order") in owners_page
    listed = billing.orders_list(actor=owner.membership, account=ALPHA, per_page=50)
    refs = [f"{ALPHA}:{o.id}" for o in listed]
    ubuntus = [  # the order that bought their server
        ref for ref in refs
        if {s.service_id for s in billing.orders_get(actor=owner.membership, order=ref).services} == {2864}
    ]
    browser = _limited(member_of)
    response = browser.get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200 and "limited to chosen servers" in body
    assert ubuntus and all(order_url("order", ref) in body for ref in ubuntus)
    assert browser.get(order_url("order", ubuntus[0])).status_code == 200
    assert "2492.06" not in body and "0000007715" not in body  # no balance, no invoice
    assert order_url("order") not in body  # legacy-app's renewal is not about their server
    assert reverse("web:deposit") not in body and reverse("web:invoices_download") not in body


@pytest.mark.parametrize(
    ("name", "ref", "method"),
    [
        ("order", ORDER, "get"),
        ("order_pay", ORDER, "get"),
        ("order_delete", ORDER, "get"),
        ("order_update", ORDER, "post"),
        ("invoice_download", f"{ALPHA}:8728", "get"),
    ],
)
def test_a_member_limited_to_servers_cannot_reach_other_orders_or_invoices(
    name, ref, method, web_team, member_of
) -> None:
    response = getattr(_limited(member_of), method)(order_url(name, ref))
    assert response.status_code in (403, 404)
    assert b"2492.06" not in response.content


def _bank_deposit(browser) -> str:
    """A deposit order left awaiting payment (a bank transfer); its order reference."""
    response = browser.post(
        f"{reverse('web:deposit')}?account={ALPHA}", {"amount": "50", "payment_method": "bank"}
    )
    return response["Location"].rstrip("/").rpartition("/")[2]


def test_a_deposit_is_not_offered_pay_from_balance(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    deposit = _bank_deposit(browser)
    page = browser.get(order_url("order", deposit)).content.decode()
    assert "card, bank transfer or bitcoin" in page and order_url("order_pay", deposit) not in page
    assert '<option value="balance"' not in page  # nor as its payment method
    pay = browser.get(order_url("order_pay", deposit)).content.decode()
    assert "cannot be paid from the balance" in pay and 'name="confirm_order"' not in pay
    refused = browser.post(order_url("order_pay", deposit), {"confirm_order": deposit.rpartition(":")[2]})
    assert "cannot be paid from the balance" in refused.content.decode()
    assert not Operation.objects.exists()
    renewal = browser.get(order_url("order")).content.decode()
    assert order_url("order_pay") in renewal and "Payment from the balance." in renewal


def test_dashboard_says_what_each_order_needs_and_links_it(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    deposit = _bank_deposit(browser)
    body = browser.get(reverse("web:dashboard")).content.decode()
    assert f'href="{order_url("order", deposit)}"' in body and f'href="{order_url("order")}"' in body
    assert "card, bank transfer or bitcoin" in body and "Payment from the balance." in body


def test_a_deposit_and_paying_an_order_ask_the_role_once(web_team, member_of, monkeypatch) -> None:
    from tests.actions.role_checks import role_checks

    browser = member_of(Role.BILLING)
    asked = role_checks(monkeypatch)
    response = browser.post(
        f"{reverse('web:deposit')}?account={ALPHA}", {"amount": "50", "payment_method": "bank"}, follow=True
    )
    assert "Deposit order" in response.content.decode()
    assert asked.count("balance_deposit") == 1
    response = browser.post(order_url("order_pay"), {"confirm_order": ORDER.rpartition(":")[2]})
    assert response.status_code == 302 and "/operations/" in response["Location"]
    assert asked.count("orders_pay") == 1  # the pipeline's, not the page's, the service's or the kind's
