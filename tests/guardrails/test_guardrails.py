"""The guardrails as policies of the actions pipeline: approvals (expiry, no self-approval, one
person one say, run as the requester and authorised again), spend limits, change freezes (refused
with the window named, and broken glass), and time-boxed elevation ending mid-session."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from panel.accounts.permissions import can
from panel.accounts.roles import Role
from panel.actions import pipeline
from panel.actions.request import ActionRequest
from panel.actions.servers import REINSTALL, START
from panel.audit.models import AuditEvent
from panel.core.errors import InvalidInput, NotAllowed
from panel.guardrails import approvals, elevations, freezes
from panel.guardrails.models import (
    ApprovalRequest,
    ApprovalRule,
    ApprovalState,
    Budget,
    Freeze,
    FreezeKind,
    FreezeScope,
    Notice,
    OnExceed,
    Spend,
)
from panel.guardrails.spend import budget_states
from panel.operations.models import Operation
from panel.services.context import Actor

from .conftest import RAN, RENEW, SERVER

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def _reinstall(membership, reason: str = "disk full") -> pipeline.Outcome:
    return pipeline.submit(
        REINSTALL,
        actor=Actor(membership),
        target=SERVER,
        data={"image_id": 5, "password": PASSWORD},
        reason=reason,
    )


def _rule(team, **fields) -> ApprovalRule:
    defaults = {"risk": "destructive", "approvals_required": 1, "approver_roles": ["owner", "admin"]}
    return ApprovalRule.objects.create(team=team, **{**defaults, **fields})


def _held(team, member, **rule) -> tuple[ApprovalRequest, object]:
    _rule(team, **rule)
    operator = member(Role.ADMIN)
    with pytest.raises(pipeline.Pending) as caught:
        _reinstall(operator)
    return caught.value.held, operator


# -- approvals ------------------------------------------------------------------------------------
def test_a_destructive_action_is_held_as_one_request_with_its_input_encrypted(team, member) -> None:
    approval, requester = _held(team, member)
    assert approval.state == ApprovalState.PENDING and approval.requester == requester
    assert PASSWORD not in str(approval.requests) and "disk full" in str(approval.requests)
    assert approval.expires_at - approval.created_at == timedelta(hours=24)
    assert not Operation.objects.exists()  # nothing ran
    event = AuditEvent.objects.get(operation_id="approval.requested")
    assert event.target_id == SERVER and event.operation_url == approval.get_absolute_url()
    shown = approvals.shown(approval)[0]
    assert shown["input"]["image_id"] == 5 and "secret" in shown["input"]["password"]


def test_approvers_are_told_in_the_panel(team, member) -> None:
    owner = member(Role.OWNER)
    member(Role.VIEWER)
    approval, requester = _held(team, member)
    told = set(Notice.objects.values_list("user_id", flat=True))
    assert owner.user_id in told and requester.user_id not in told  # not the requester (an admin)
    assert all(approval.summary in n.message for n in Notice.objects.all())


def test_self_approval_is_refused(team, member) -> None:
    approval, requester = _held(team, member)
    with pytest.raises(NotAllowed, match="no self-approval"):
        approvals.decide(approval, requester, approve=True, comment="", stepped_up=True)
    approval.refresh_from_db()
    assert approval.state == ApprovalState.PENDING and not approval.decisions.exists()


def test_a_second_account_of_the_requester_cannot_approve(team, member) -> None:
    _rule(team)
    requester = member(Role.ADMIN, email="ann@example.test", full_name="Ann Smith")
    with pytest.raises(pipeline.Pending) as caught:
        _reinstall(requester)
    alias = member(Role.OWNER, email="ann+ops@example.test", full_name="A. S.")
    with pytest.raises(NotAllowed, match="another account of yours"):
        approvals.decide(caught.value.held, alias, approve=True, comment="", stepped_up=True)


def test_approving_needs_the_step_up(team, member) -> None:
    approval, _ = _held(team, member)
    with pytest.raises(NotAllowed, match="second factor"):
        approvals.decide(approval, member(Role.OWNER), approve=True, comment="", stepped_up=False)


def test_an_approval_runs_the_request_as_the_requester_with_the_approval_linked(team, member) -> None:
    approval, requester = _held(team, member)
    owner = member(Role.OWNER)
    approval = approvals.decide(approval, owner, approve=True, comment="ok, go", stepped_up=True)
    assert approval.state == ApprovalState.APPROVED, approval.result
    operation = Operation.objects.get()
    assert approval.operation_ids == [operation.pk]
    assert operation.actor_id == requester.user_id  # as the requester, not the approver
    names = list(AuditEvent.objects.order_by("seq").values_list("operation_id", flat=True))
    assert (
        names.index("approval.requested") < names.index("approval.given") < names.index("approval.executed")
    )
    executed = AuditEvent.objects.get(operation_id="approval.executed")
    assert executed.params["approval"] == approval.pk and executed.params["operations"] == [operation.pk]
    assert f"approval #{approval.pk}" in operation.data["reason"]


def test_two_approvals_need_two_people(team, member) -> None:
    approval, _ = _held(team, member, approvals_required=2)
    approvals.decide(approval, member(Role.OWNER), approve=True, comment="", stepped_up=True)
    approval.refresh_from_db()
    assert approval.state == ApprovalState.PENDING and not Operation.objects.exists()
    approvals.decide(approval, member(Role.ADMIN), approve=True, comment="", stepped_up=True)
    approval.refresh_from_db()
    assert approval.state == ApprovalState.APPROVED and Operation.objects.count() == 1


def test_a_role_the_rule_does_not_name_cannot_approve(team, member) -> None:
    approval, _ = _held(team, member, approver_roles=["owner"])
    with pytest.raises(NotAllowed, match="Owner"):
        approvals.decide(approval, member(Role.ADMIN), approve=True, comment="", stepped_up=True)


def test_a_rejection_runs_nothing_and_tells_the_requester(team, member) -> None:
    approval, requester = _held(team, member)
    approvals.decide(approval, member(Role.OWNER), approve=False, comment="not today", stepped_up=False)
    approval.refresh_from_db()
    assert approval.state == ApprovalState.REJECTED and "not today" in approval.result
    assert not Operation.objects.exists()
    assert Notice.objects.filter(user=requester.user, message__contains="not today").exists()


def test_a_request_expires(team, member) -> None:
    approval, _ = _held(team, member)
    later = timezone.now() + timedelta(hours=24, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert not ApprovalRequest.objects.get(pk=approval.pk).is_open
        decided = approvals.decide(approval, member(Role.OWNER), approve=True, comment="", stepped_up=True)
    assert decided.state == ApprovalState.EXPIRED and not Operation.objects.exists()
    assert AuditEvent.objects.filter(operation_id="approval.expired").exists()


def test_the_sweep_expires_what_nobody_decided(team, member) -> None:
    approval, _ = _held(team, member)
    ApprovalRequest.objects.filter(pk=approval.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert approvals.expire_due() == 1
    assert ApprovalRequest.objects.get(pk=approval.pk).state == ApprovalState.EXPIRED


def test_a_requester_who_lost_the_right_meanwhile_gets_a_clear_failure(team, member) -> None:
    approval, requester = _held(team, member)
    requester.role = Role.OPERATOR  # may not reinstall any more
    requester.save()
    approval = approvals.decide(approval, member(Role.OWNER), approve=True, comment="", stepped_up=True)
    assert approval.state == ApprovalState.FAILED
    assert "may no longer do this" in approval.result and "Operator" in approval.result
    assert not Operation.objects.exists()


def test_a_held_batch_is_one_approval(team, member) -> None:
    _rule(team, risk="write")
    operator = member(Role.OPERATOR)
    batch = [
        ActionRequest.create(START, actor=Actor(operator), target=f"{SERVER[:-4]}{n}") for n in (1, 2, 3)
    ]
    with pytest.raises(pipeline.Pending) as caught:
        pipeline.check(batch)
    approval = caught.value.held
    assert len(approval.requests) == 3 and ApprovalRequest.objects.count() == 1
    assert "and 2 more" in approval.summary


def test_no_rule_no_hold(team, member) -> None:
    outcome = _reinstall(member(Role.ADMIN))
    assert outcome.operation is not None and not ApprovalRequest.objects.exists()


# -- spend limits ---------------------------------------------------------------------------------
def _renew(membership, months: int = 1) -> pipeline.Outcome:
    return pipeline.submit(RENEW, actor=Actor(membership), target=SERVER, data={"months": months})


def test_spend_below_the_budget_runs_and_is_counted(team, member, declared) -> None:
    Budget.objects.create(team=team, monthly_limit=Decimal("100"), currency="EUR")
    billing = member(Role.BILLING)
    assert _renew(billing, 2).value == "renewed"
    assert Spend.objects.get().amount == Decimal("25.00")
    state = budget_states(team)[0]
    assert state.used == Decimal("25.00") and state.left == Decimal("75.00")


def test_a_budget_passed_is_refused_with_the_figures(team, member, declared) -> None:
    Budget.objects.create(team=team, monthly_limit=Decimal("30"), currency="EUR")
    billing = member(Role.BILLING)
    _renew(billing, 2)  # 25 of 30
    with pytest.raises(
        pipeline.Refused, match=r"monthly budget of the whole team: 25.00 EUR used of 30.00 EUR"
    ):
        _renew(billing, 1)  # 12.50 more
    assert RAN == [("servers_renew", SERVER)]
    assert AuditEvent.objects.filter(operation_id="servers_renew", outcome="denied").exists()


def test_a_per_order_limit_of_an_account_sends_to_approval(team, member, declared, account) -> None:
    Budget.objects.create(
        team=team,
        account_id=account,
        per_order_limit=Decimal("20"),
        currency="EUR",
        on_exceed=OnExceed.APPROVE,
        approver_roles=["owner"],
    )
    with pytest.raises(pipeline.Pending) as caught:
        _renew(member(Role.BILLING), 2)
    approval = caught.value.held
    assert "per-order limit of VPSBG account" in approval.why and approval.cost_amount == Decimal("25.00")
    assert not RAN
    approvals.decide(approval, member(Role.OWNER), approve=True, comment="", stepped_up=True)
    assert RAN == [("servers_renew", SERVER)] and Spend.objects.count() == 1


def test_a_rule_on_paying_actions_above_an_amount(team, member, declared) -> None:
    _rule(team, risk="paying", min_amount=Decimal("20"), approver_roles=["owner"])
    billing = member(Role.BILLING)
    assert _renew(billing, 1).value == "renewed"  # 12.50: below
    with pytest.raises(pipeline.Pending):
        _renew(billing, 2)  # 25.00


def test_failed_operations_do_not_count_as_spend(team, member) -> None:
    op = Operation.objects.create(team=team, kind="reinstall", state="failed")
    Spend.objects.create(team=team, amount=Decimal("10"), currency="EUR", action_name="x", operation=op)
    Spend.objects.create(team=team, amount=Decimal("4"), currency="EUR", action_name="x")
    Budget.objects.create(team=team, monthly_limit=Decimal("100"), currency="EUR")
    assert budget_states(team)[0].used == Decimal("4")


# -- change freezes -------------------------------------------------------------------------------
def _freeze(team, **fields) -> Freeze:
    now = timezone.now()
    defaults = {
        "name": "Release week",
        "kind": FreezeKind.ONCE,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(hours=1),
        "time_zone": "Europe/Sofia",
    }
    return Freeze.objects.create(team=team, **{**defaults, **fields})


def test_a_freeze_refuses_destructive_actions_naming_the_window(team, member) -> None:
    _freeze(team)
    admin = member(Role.ADMIN)
    with pytest.raises(pipeline.Refused, match=r"Change freeze “Release week”.*Europe/Sofia"):
        _reinstall(admin)
    assert not Operation.objects.exists()
    assert AuditEvent.objects.filter(
        operation_id="servers_reinstall", outcome="denied", reason__contains="Release week"
    ).exists()


def test_a_destructive_only_freeze_lets_other_writes_pass(team, member) -> None:
    _freeze(team, scope=FreezeScope.DESTRUCTIVE)
    assert (
        freezes.refusal([ActionRequest.create(START, actor=Actor(member(Role.OPERATOR)), target=SERVER)])
        is None
    )
    _freeze(team, name="Everything", scope=FreezeScope.WRITES)
    why = freezes.refusal([ActionRequest.create(START, actor=Actor(member(Role.OPERATOR)), target=SERVER)])
    assert why and "Everything" in why


def test_a_weekly_window_in_the_teams_time_zone(team) -> None:
    freeze = Freeze(
        team=team,
        name="Friday",
        kind=FreezeKind.WEEKLY,
        weekdays=[4],
        start_time=time(16),
        end_time=time(2),
        time_zone="Europe/Sofia",
    )
    from datetime import datetime
    from zoneinfo import ZoneInfo

    sofia = ZoneInfo("Europe/Sofia")
    assert freeze.window_at(datetime(2026, 12, 4, 17, 0, tzinfo=sofia))  # Friday 17:00
    assert freeze.window_at(datetime(2026, 12, 5, 1, 30, tzinfo=sofia))  # past midnight, still Friday's
    assert not freeze.window_at(datetime(2026, 12, 5, 2, 30, tzinfo=sofia))
    assert not freeze.window_at(datetime(2026, 12, 4, 15, 59, tzinfo=sofia))
    assert freeze.window_at(datetime(2026, 12, 4, 14, 30, tzinfo=ZoneInfo("UTC")))  # 16:30 in Sofia
    assert not freeze.window_at(datetime(2026, 12, 4, 13, 30, tzinfo=ZoneInfo("UTC")))  # 15:30 in Sofia


def test_breaking_the_glass_lets_it_through_loudly(team, member) -> None:
    freeze = _freeze(team)
    owner = member(Role.OWNER)
    admin = member(Role.ADMIN)
    with pytest.raises(NotAllowed):
        freezes.break_glass(admin, freeze, reason="hotfix for the outage", minutes=30)
    with pytest.raises(InvalidInput):
        freezes.break_glass(owner, freeze, reason="", minutes=30)
    glass = freezes.break_glass(owner, freeze, reason="hotfix for the outage", minutes=30)
    assert glass.expires_at <= freeze.ends_at
    assert (
        AuditEvent.objects.get(operation_id="freezes.break_glass").reason
        == "BREAK GLASS: hotfix for the outage"
    )
    assert Notice.objects.filter(user=admin.user, message__contains="BREAK GLASS").exists()
    assert _reinstall(admin).operation is not None
    bypass = AuditEvent.objects.get(operation_id="freeze.bypassed")
    assert "hotfix for the outage" in bypass.reason and bypass.target_id == SERVER


def test_an_approval_is_not_run_inside_a_freeze(team, member) -> None:
    approval, _ = _held(team, member)
    _freeze(team)
    with pytest.raises(InvalidInput, match="Release week"):
        approvals.decide(approval, member(Role.OWNER), approve=True, comment="", stepped_up=True)
    approval.refresh_from_db()
    assert approval.state == ApprovalState.PENDING


# -- elevation ------------------------------------------------------------------------------------
def test_an_elevation_counts_until_it_ends_even_mid_session(team, member) -> None:
    operator = member(Role.OPERATOR)
    admin = member(Role.ADMIN)
    asked = elevations.ask(operator, role=Role.ADMIN, minutes=60, reason="incident 42")
    assert not can(operator, "servers_reinstall")
    with pytest.raises(NotAllowed):
        elevations.decide(operator, asked, grant=True)  # not their own, and not their role
    elevations.decide(admin, asked, grant=True)
    session_membership = type(operator).objects.get(pk=operator.pk)  # one request's object
    assert can(session_membership, "servers_reinstall")
    later = timezone.now() + timedelta(minutes=61)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert not can(session_membership, "servers_reinstall")  # the same object, checked again
    assert AuditEvent.objects.get(operation_id="elevation.granted").params["after"]["state"] == "granted"


def test_an_elevation_is_at_most_eight_hours_and_never_owner(team, member) -> None:
    operator = member(Role.OPERATOR)
    with pytest.raises(InvalidInput):
        elevations.ask(operator, role=Role.ADMIN, minutes=8 * 60 + 1, reason="long one")
    with pytest.raises(InvalidInput):
        elevations.ask(operator, role=Role.OWNER, minutes=60, reason="take over")


def test_an_elevated_member_may_approve_for_the_role(team, member) -> None:
    approval, _ = _held(team, member, approver_roles=["owner"])
    operator = member(Role.OPERATOR)
    elevations.decide(
        member(Role.ADMIN), elevations.ask(operator, role=Role.ADMIN, minutes=60, reason="cover"), grant=True
    )
    with pytest.raises(NotAllowed, match="Owner"):
        approvals.decide(approval, operator, approve=True, comment="", stepped_up=True)


def test_policy_changes_are_audited_with_before_and_after(team, member) -> None:
    from panel.guardrails import config

    owner = member(Role.OWNER)
    rule = config.save(owner, ApprovalRule(risk="destructive", approver_roles=["owner"]), before=None)
    before = rule.snapshot()
    rule.enabled = False
    config.save(owner, rule, before=before)
    changed = AuditEvent.objects.get(operation_id="guardrails.approval_rule_changed")
    assert changed.params["before"]["enabled"] is True and changed.params["after"]["enabled"] is False
    with pytest.raises(NotAllowed):
        config.delete(member(Role.ADMIN), rule)
    config.delete(owner, rule)
    assert AuditEvent.objects.get(operation_id="guardrails.approval_rule_deleted").params["after"] is None


def test_approvers_are_told_by_email_and_webhook(
    team, member, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
) -> None:
    from panel.guardrails import tasks
    from panel.operations.models import TeamWebhook

    TeamWebhook.objects.create(team=team, url="https://hooks.example.test/panel")
    sent: list[dict] = []
    monkeypatch.setattr(tasks.post_webhook, "apply_async", lambda args, queue: sent.append(args[1]))
    owner = member(Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        approval, _ = _held(team, member)
    assert [m.to for m in mailoutbox] == [[owner.user.email]]
    assert approval.summary in mailoutbox[0].subject and approval.get_absolute_url() in mailoutbox[0].body
    assert sent == [
        {
            "event": "approval.requested",
            "team": team.slug,
            "message": sent[0]["message"],
            "url": approval.get_absolute_url(),
        }
    ]
    assert PASSWORD not in str(sent) + mailoutbox[0].body


def test_an_elevation_that_ends_mid_session_closes_the_page(team, member) -> None:
    from django.urls import reverse

    from tests.fixtures_accounts import sign_in

    operator = member(Role.OPERATOR)
    elevations.decide(
        member(Role.ADMIN), elevations.ask(operator, role=Role.ADMIN, minutes=30, reason="deploy"), grant=True
    )
    browser = sign_in(operator.user, team=team, verified=True)
    reinstall = reverse("web:server_reinstall", kwargs={"ref": SERVER})
    assert browser.get(reinstall).status_code != 403  # an admin's page, for now
    later = timezone.now() + timedelta(minutes=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        refused = browser.get(reinstall)
    assert refused.status_code == 403 and "Operator" in refused.content.decode()
