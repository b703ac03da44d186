"""Four eyes in a real Chromium, end to end, with a real Celery worker.

An operator (elevated to Admin for the day, so the role table lets them reinstall) asks to
reinstall a server; a rule holds destructive actions for an admin's approval. An admin, in a second
browser context, is told on their next page, opens the request, sees exactly what will run,
approves; the reinstall runs as the operator through the worker; the audit log shows the request,
the approval and the execution, linked to each other and to the operation.

The stack (private database, simulator, filesystem broker, worker, live server) is the one of
`tests/web/test_browser_journeys.py`, whose module fixtures are reused here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test.utils import override_settings

from panel.accounts.models import EncryptedTOTPDevice as TOTPDevice
from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.guardrails import elevations
from panel.guardrails.models import ApprovalRequest, ApprovalRule, ApprovalState
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.web.browser import BROWSER, csp_errors, expect
from tests.web.conftest import ALPHA, store_token
from tests.web.test_browser_journeys import (  # noqa: F401 - the shared stack's module fixtures
    FAST_HASHER,
    KEY,
    LONG_MS,
    _new_page,
    _sign_in_with_code,
    _web_settings,
    broker_dir,
    browser,
    enqueue_to_worker,
    private_db,
    server_url,
    sim,
    worker,
)

pytestmark = [*BROWSER, pytest.mark.worker, pytest.mark.slow]

TARGET = f"{ALPHA}:2865"  # web-01.alpha.example


@pytest.fixture(scope="module")
def people(private_db, sim) -> dict[str, Any]:  # noqa: F811 - replaces the journeys' people
    """A team requiring the second factor, a rule holding destructive actions for an admin, an
    owner, an admin, and an operator elevated to Admin; each with an authenticator."""
    found: dict[str, Any] = {}
    with override_settings(PANEL_ENCRYPTION_KEYS=[KEY], PASSWORD_HASHERS=FAST_HASHER):
        team = TeamFactory(name="Four eyes", slug=f"four-eyes-{uuid.uuid4().hex[:6]}", require_2fa=True)
        store_token(team, sim, "alpha_rw")
        ApprovalRule.objects.create(
            team=team, risk="destructive", approvals_required=1, approver_roles=["admin"]
        )
        members = {}
        for role in (Role.OWNER, Role.ADMIN, Role.OPERATOR):
            user = UserFactory(email=f"{role.value}-{uuid.uuid4().hex[:4]}@foureyes.example")
            members[role] = MembershipFactory(team=team, user=user, role=role)
            device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
            found[role.value] = {"email": user.email, "key": bytes(device.bin_key)}
        asked = elevations.ask(members[Role.OPERATOR], role=Role.ADMIN, minutes=480, reason="release day")
        elevations.decide(members[Role.OWNER], asked, grant=True)
        found["team"] = team
    return found


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    """These tests read the database between browser steps: close that connection when each ends
    (in the test's own context), or dropping the private database finds it still open."""
    yield
    from django.db import connections

    connections.close_all()


@pytest.fixture(scope="module")
def operator_page(browser, server_url) -> Iterator[Any]:  # noqa: F811
    tab = _new_page(browser, server_url)
    yield tab
    tab.context.close()


@pytest.fixture(scope="module")
def admin_page(browser, server_url) -> Iterator[Any]:  # noqa: F811
    tab = _new_page(browser, server_url)  # a second browser context: another person
    yield tab
    tab.context.close()


def test_an_operator_asks_to_reinstall_and_it_waits_for_approval(people, operator_page) -> None:
    operator = people["operator"]
    _sign_in_with_code(operator_page, operator["email"], operator["key"])
    operator_page.goto(f"/servers/{TARGET}/reinstall/")
    operator_page.get_by_label("New root password").fill("S3cret-pass-for-four-eyes")
    operator_page.get_by_label("Type the server's hostname to confirm").fill("web-01.alpha.example")
    operator_page.get_by_label(re.compile("Reason")).fill("four eyes journey")
    operator_page.locator("form.action-form button.danger").click()
    operator_page.wait_for_url(re.compile(r"/guardrails/approvals/\d+/"))
    main = operator_page.locator("main")
    expect(main).to_contain_text("needs approval")
    expect(operator_page.locator("#approval-state")).to_have_text("Waiting for approval")
    expect(main).to_contain_text("You asked for this")
    expect(main.get_by_role("button", name="Approve and run")).to_have_count(0)  # no self-approval
    assert "S3cret-pass-for-four-eyes" not in operator_page.content()
    assert not csp_errors(operator_page)


def test_an_admin_in_another_browser_approves_and_it_runs(people, admin_page) -> None:
    admin = people["admin"]
    _sign_in_with_code(admin_page, admin["email"], admin["key"])
    expect(admin_page.locator("main")).to_contain_text("asks for approval: Reinstall of")  # told in the panel
    admin_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Guardrails", exact=True
    ).click()
    admin_page.locator("#to-decide").get_by_role("link").first.click()
    held = admin_page.locator("#held-requests")
    expect(held).to_contain_text("servers_reinstall")
    expect(held).to_contain_text(TARGET)
    expect(held).to_contain_text("four eyes journey")
    expect(held).to_contain_text("secret, encrypted")
    admin_page.get_by_label("Comment").fill("checked with the operator")
    admin_page.get_by_role("button", name="Approve and run").click()  # signed in minutes ago: no code asked
    admin_page.wait_for_url(re.compile(r"/operations/\d+/"))
    expect(admin_page.locator(".op-progress .op-state")).to_have_text("Succeeded", timeout=LONG_MS)
    expect(admin_page.locator("#op-log tbody")).to_contain_text("approval #")
    approval = ApprovalRequest.objects.get(team=people["team"])
    assert approval.state == ApprovalState.APPROVED and len(approval.operation_ids) == 1


def test_the_audit_log_links_request_approval_and_execution(people, admin_page) -> None:
    approval = ApprovalRequest.objects.get(team=people["team"])
    admin_page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit", exact=True).click()
    results = admin_page.locator("#audit-results")
    operator, admin = people["operator"]["email"], people["admin"]["email"]
    expect(results.locator("tr", has_text="Approval requested").first).to_contain_text(operator)
    expect(results.locator("tr", has_text="Approval given").first).to_contain_text(admin)
    expect(results.locator("tr", has_text="Approval executed").first).to_be_visible()
    expect(results.locator("tr", has_text="Reinstall").first).to_be_visible()

    events = AuditEvent.objects.filter(team_ref_id=people["team"].pk)
    requested = events.get(operation_id="approval.requested")
    given = events.get(operation_id="approval.given")
    executed = events.get(operation_id="approval.executed")
    assert (
        requested.params["approval"] == given.params["approval"] == executed.params["approval"] == approval.pk
    )
    assert requested.operation_url == given.operation_url == approval.get_absolute_url()
    assert executed.operation_url == f"/operations/{approval.operation_ids[0]}/"
    assert executed.request_id == given.request_id  # the approving click ran it
    worker_calls = events.filter(operation_id="servers_reinstall", outcome="ok")
    assert worker_calls.exists() and all(f"approval #{approval.pk}" in e.reason for e in worker_calls)
    assert all(operator in e.actor_name for e in worker_calls)  # as the requester

    admin_page.goto(f"/audit/events/{executed.pk}/")
    expect(admin_page.locator("main")).to_contain_text(f"/operations/{approval.operation_ids[0]}/")
    assert not csp_errors(admin_page)
