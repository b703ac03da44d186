"""The dashboard: servers by state, balances, orders awaiting payment, operations, audit, tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.vault.models import ApiToken, TokenStatus
from tests.web.conftest import UBUNTU

pytestmark = pytest.mark.django_db

URL = reverse("web:dashboard")


def test_home_leads_to_the_dashboard(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == URL


def test_owner_sees_every_part(web_team, member_of) -> None:
    body = member_of(Role.OWNER).get(URL).content.decode()
    assert "Servers" in body and "Running" in body and "Stopped" in body
    assert "Balances" in body and "Alpha Ops Ltd" in body and "Beta Hosting Ltd" in body
    assert "Orders awaiting payment" in body and "#7814" in body
    assert "Running operations" in body
    assert "Recent activity" in body
    assert "All tokens work." in body


def test_viewer_sees_no_audit_log(web_team, member_of) -> None:
    body = member_of(Role.VIEWER).get(URL).content.decode()
    assert "Recent activity" not in body and "Balances" in body


def test_scoped_member_sees_their_servers_only_and_no_account_money(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    body = browser.get(URL).content.decode()
    assert '<p class="big-number">1</p>' in body
    assert "Balances" not in body  # the account's money is not theirs to see...
    assert "Orders awaiting payment" in body and "7814" not in body  # ...nor another server's renewal


def test_failing_token_needs_attention(web_team, member_of) -> None:
    ApiToken.objects.filter(team=web_team, name="beta_rw").update(
        status=TokenStatus.FAILING, status_message="VPSBG did not answer"
    )
    body = member_of(Role.OWNER).get(URL).content.decode()
    assert "beta_rw" in body and "Failing" in body
    assert "Beta Hosting Ltd" in body  # the account's warning names it


def test_one_account_down_is_a_warning_not_an_error(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("balance_get", status=503)
    response = member_of(Role.OWNER).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "flash-warning" in body and "Retry" in body
    assert "Running" in body  # the servers still show


def test_team_without_tokens_is_told_how_to_start(team, member_of) -> None:
    body = member_of(Role.OWNER).get(URL).content.decode()
    assert "Connect a VPSBG account" in body and reverse("vault:token_add") in body
    body = member_of(Role.VIEWER).get(URL).content.decode()
    assert "Ask an owner or admin" in body


def test_navigation_marks_dashboard_and_servers(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    body = browser.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">Dashboard</a>' in body
    body = browser.get(reverse("web:servers")).content.decode()
    assert f'<a href="{reverse("web:servers")}" aria-current="page">Servers</a>' in body


def test_silent_vpsbg_is_not_zero_servers_or_nothing_to_pay(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add(status=503)  # every call of both accounts
    response = member_of(Role.OWNER).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<p class="big-number">0</p>' not in body and "No servers." not in body
    assert "Nothing to pay." not in body and "No accounts." not in body
    assert body.count("Could not tell") == 3  # servers, balances, orders
    for label in ("Alpha Ops Ltd", "Beta Hosting Ltd"):
        assert body.count(f"{label}: VPSBG unavailable") == 1  # servers, balances and orders failed alike


def test_one_silent_account_is_counted_as_missing_not_as_empty(web_team, simulator, member_of) -> None:
    simulator.sim.state.data["tokens"].pop(simulator.tokens["beta_rw"])  # 401 for beta alone
    body = member_of(Role.OWNER).get(URL).content.decode()
    assert body.count("Not counting the accounts that did not answer.") == 2  # servers and orders
    assert "#7814" in body  # alpha's order is still listed
    assert "Nothing to pay." not in body
