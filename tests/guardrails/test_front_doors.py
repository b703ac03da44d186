"""The guardrails through the front doors: the API answers 202 with the approval request and
approves with a second-factor code; the pages show the held request exactly, ask for a fresh
second factor to approve, and show budgets, freezes and who is elevated until when."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from panel.accounts.models import EncryptedTOTPDevice
from panel.accounts.roles import Role
from panel.accounts.second_factor import VERIFIED_AT_SESSION_KEY
from panel.api.tokens import create_token
from panel.guardrails import elevations
from panel.guardrails.models import (
    ApprovalRequest,
    ApprovalRule,
    ApprovalState,
    Budget,
    Freeze,
    FreezeKind,
    Spend,
)
from panel.operations.models import Operation
from panel.services.context import Actor
from tests.fixtures_accounts import sign_in
from tests.web.browser import totp_code
from tests.web.conftest import ALPHA, store_token

from .conftest import SERVER

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def _client(membership) -> APIClient:
    _, plaintext = create_token(actor=Actor(membership), label="guardrails")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def _held_through_the_api(team, member) -> tuple[dict, object]:
    ApprovalRule.objects.create(team=team, risk="destructive", approver_roles=["owner"])
    admin = member(Role.ADMIN)
    response = _client(admin).post(
        f"/api/v1/servers/{SERVER}/reinstall",
        {"image_id": 5, "password": PASSWORD, "reason": "disk full"},
        format="json",
    )
    assert response.status_code == 202, response.content
    return response, admin


def test_the_api_answers_202_with_the_approval_request(team, member) -> None:
    response, _ = _held_through_the_api(team, member)
    body = response.json()
    assert body["state"] == "pending" and body["approvals_required"] == 1
    assert response["Location"] == body["url"] == f"/api/v1/guardrails/approvals/{body['id']}"
    held = body["requests"][0]
    assert (
        held["action"] == "servers_reinstall" and held["target"] == SERVER and held["reason"] == "disk full"
    )
    assert PASSWORD not in response.content.decode()
    assert not Operation.objects.exists()


def test_approving_through_the_api_needs_a_code_then_runs(team, member) -> None:
    response, requester = _held_through_the_api(team, member)
    url = response.json()["url"]
    owner = member(Role.OWNER)
    client = _client(owner)
    refused = client.post(f"{url}/approve", {"comment": "ok"}, format="json")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "step_up_required"
    assert _client(requester).post(f"{url}/approve", {}, format="json").status_code in (403, 422)
    device = EncryptedTOTPDevice.objects.get(user=owner.user)
    approved = client.post(
        f"{url}/approve", {"comment": "ok", "code": totp_code(device.bin_key)}, format="json"
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved" and len(approved.json()["operations"]) == 1
    assert Operation.objects.get().actor_id == requester.user_id


def test_self_approval_through_the_api_is_refused(team, member) -> None:
    response, requester = _held_through_the_api(team, member)
    requester.role = Role.OWNER  # even an owner: not their own request
    requester.save()
    device = EncryptedTOTPDevice.objects.get(user=requester.user)
    refused = _client(requester).post(
        f"{response.json()['url']}/approve", {"code": totp_code(device.bin_key)}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "self_approval"


def test_rules_budgets_and_freezes_through_the_api(team, member) -> None:
    owner = _client(member(Role.OWNER))
    created = owner.post(
        "/api/v1/guardrails/rules",
        {
            "risk": "paying",
            "min_amount": "50",
            "currency": "eur",
            "approvals_required": 2,
            "approver_roles": ["owner", "billing"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (
        created.json()["description"]
        == "every paying action costing 50.00 EUR or more needs 2 approvals by Owner, Billing"
    )
    bad = owner.post(
        "/api/v1/guardrails/rules", {"approvals_required": 1, "approver_roles": ["owner"]}, format="json"
    )
    assert bad.status_code == 422 and "risk class" in bad.content.decode()
    budget = owner.post(
        "/api/v1/guardrails/budgets",
        {"monthly_limit": "200", "currency": "EUR", "on_exceed": "refuse", "approvals_required": 1},
        format="json",
    )
    assert budget.status_code == 201, budget.content
    listed = owner.get("/api/v1/guardrails/budgets").json()
    assert listed[0]["used"] == "0.00" and listed[0]["left"] == "200.00"
    freeze = owner.post(
        "/api/v1/guardrails/freezes",
        {
            "name": "Friday evenings",
            "scope": "writes",
            "kind": "weekly",
            "weekdays": [4],
            "start_time": "16:00",
            "end_time": "23:00",
            "time_zone": "Europe/Sofia",
        },
        format="json",
    )
    assert freeze.status_code == 201, freeze.content
    assert freeze.json()["window"] == "every Friday 16:00–23:00 (Europe/Sofia)"
    viewer = _client(member(Role.VIEWER))
    assert viewer.post("/api/v1/guardrails/freezes", {}, format="json").status_code == 403
    assert viewer.get("/api/v1/guardrails/freezes").status_code == 200


# -- pages ----------------------------------------------------------------------------------------
def _browser(membership, *, fresh: bool = True):
    browser = sign_in(membership.user, team=membership.team, verified=True)
    if fresh:
        session = browser.session
        session[VERIFIED_AT_SESSION_KEY] = int(time.time())
        session.save()
    return browser


def test_the_approval_page_shows_the_request_exactly_and_asks_for_a_fresh_code(team, member) -> None:
    _held_through_the_api(team, member)
    held = ApprovalRequest.objects.get()
    owner = member(Role.OWNER)
    browser = _browser(owner, fresh=False)
    page = browser.get(reverse("guardrails:approval", kwargs={"pk": held.pk})).content.decode()
    assert "servers_reinstall" in page and SERVER in page and "disk full" in page
    assert PASSWORD not in page and "secret, encrypted" in page
    assert "Second-factor code" in page  # nothing proven in the last few minutes
    decide = reverse("guardrails:approval_decide", kwargs={"pk": held.pk})
    _browser(member(Role.OWNER), fresh=False).post(decide, {"decision": "approve", "code": "000000"})  # wrong
    _browser(member(Role.OWNER), fresh=False).post(decide, {"decision": "approve"})  # no code
    held.refresh_from_db()
    assert held.state == ApprovalState.PENDING and not held.decisions.exists()
    device = EncryptedTOTPDevice.objects.get(user=owner.user)
    answer = browser.post(decide, {"decision": "approve", "code": totp_code(device.bin_key), "comment": "go"})
    held.refresh_from_db()
    assert held.state == ApprovalState.APPROVED
    assert answer["Location"] == reverse("operations:detail", kwargs={"pk": held.operation_ids[0]})


def test_the_requester_sees_no_approve_button(team, member) -> None:
    _, requester = _held_through_the_api(team, member)
    held = ApprovalRequest.objects.get()
    page = _browser(requester).get(reverse("guardrails:approval", kwargs={"pk": held.pk})).content.decode()
    assert "Approve and run" not in page and "Withdraw the request" in page


def test_the_team_page_shows_who_is_elevated_until_when(team, member) -> None:
    operator = member(Role.OPERATOR)
    granted = elevations.decide(
        member(Role.ADMIN),
        elevations.ask(operator, role=Role.ADMIN, minutes=120, reason="incident 7"),
        grant=True,
    )
    page = _browser(member(Role.VIEWER)).get(reverse("accounts:team")).content.decode()
    assert "Admin until" in page and operator.user.display_name in page
    assert granted.ends_at - timezone.now() <= timedelta(minutes=120)


def test_the_budgets_page_shows_budget_used_and_left(team, member) -> None:
    Budget.objects.create(team=team, monthly_limit=Decimal("80"), currency="EUR")
    Spend.objects.create(team=team, amount=Decimal("30"), currency="EUR", action_name="servers_renew")
    page = _browser(member(Role.OWNER)).get(reverse("guardrails:budgets")).content.decode()
    assert "80.00" in page and "30.00" in page and "50.00" in page and "the whole team" in page


def test_the_billing_page_shows_budget_used_and_left(team, member, simulator, settings) -> None:
    settings.VPSBG_API_URL = simulator.base_url
    store_token(team, simulator, "alpha_rw")
    Budget.objects.create(team=team, monthly_limit=Decimal("80"), currency="EUR")
    Spend.objects.create(team=team, amount=Decimal("30"), currency="EUR", action_name="servers_renew")
    url = f"{reverse('web:billing')}?account={ALPHA}"
    page = _browser(member(Role.OWNER)).get(url).content.decode()
    assert "Budget of the whole team this month" in page
    assert "50.00" in page  # left


def test_a_freeze_in_force_is_announced_on_the_guardrails_page(team, member) -> None:
    now = timezone.now()
    Freeze.objects.create(
        team=team,
        name="Black Friday",
        kind=FreezeKind.ONCE,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    page = _browser(member(Role.VIEWER)).get(reverse("guardrails:index")).content.decode()
    assert "Change freeze in force" in page and "Black Friday" in page


def test_a_held_power_click_says_where_it_waits(team, member) -> None:
    ApprovalRule.objects.create(team=team, action_name="servers_restart", approver_roles=["owner"])
    browser = _browser(member(Role.OPERATOR))
    answer = browser.post(reverse("web:server_restart", kwargs={"ref": SERVER}), follow=False)
    assert answer.status_code == 302
    held = ApprovalRequest.objects.get()
    flashes = [str(m) for m in answer.wsgi_request._messages]
    assert any("needs approval" in text and held.get_absolute_url() in text for text in flashes)


def test_a_view_that_lets_pending_through_still_sends_the_person_to_the_request(team, member, rf) -> None:
    """Views converted later need not catch `Pending`: the error middleware and the API's
    exception handler answer it (a redirect to the request's page; 202 with the request)."""
    from django.contrib.messages.storage.cookie import CookieStorage

    from panel.actions.pipeline import Pending
    from panel.core.api_errors import exception_handler
    from panel.core.responses import render_panel_error

    _held_through_the_api(team, member)
    held = ApprovalRequest.objects.get()
    page = rf.post("/servers/x/reinstall/")
    page._messages = CookieStorage(page)
    answer = render_panel_error(page, Pending("Needs approval.", held=held))
    assert answer.status_code == 302 and answer["Location"] == held.get_absolute_url()
    api = exception_handler(Pending("Needs approval.", held=held), {})
    assert api.status_code == 202 and api["Location"] == held.api_url() and api.data["id"] == held.pk
