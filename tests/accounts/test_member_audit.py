"""Every membership write leaves one audit event; refused attempts are recorded too."""
from __future__ import annotations

import pytest

from panel.accounts import services
from panel.accounts.permissions import ActionDenied
from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_role_change_is_recorded_once(team) -> None:
    owner = MembershipFactory(team=team, role=Role.OWNER)
    viewer = MembershipFactory(team=team, role=Role.VIEWER)
    services.change_role(owner, viewer, Role.OPERATOR)
    event = AuditEvent.objects.get()
    assert (event.operation_id, event.outcome, event.target_label) == (
        "members.change_role", "ok", viewer.user.email)
    assert event.team == team and event.actor == owner.user
    assert event.params == {"from": "viewer", "to": "operator"}


def test_denied_attempt_is_recorded_and_changes_nothing(team) -> None:
    admin = MembershipFactory(team=team, role=Role.ADMIN)
    viewer = MembershipFactory(team=team, role=Role.VIEWER)
    with pytest.raises(ActionDenied):
        services.change_role(admin, viewer, Role.OWNER)
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER
    event = AuditEvent.objects.get()
    assert event.outcome == "denied" and "Only an owner" in event.reason


def test_refused_last_owner_removal_is_recorded_as_failed(team) -> None:
    owner = MembershipFactory(team=team, role=Role.OWNER)
    with pytest.raises(services.AccountsError):
        services.leave_team(owner)
    event = AuditEvent.objects.get()
    assert (event.operation_id, event.outcome) == ("members.leave", "failed")


def test_invitation_and_acceptance_are_recorded_without_the_token(team) -> None:
    owner = MembershipFactory(team=team, role=Role.OWNER)
    issued = services.invite_member(owner, email="ida@example.test", role=Role.VIEWER)
    services.accept_invitation(token=issued.token, password="ida's long passphrase")
    events = list(AuditEvent.objects.order_by("seq").values_list("operation_id", "outcome"))
    assert events == [("members.invite", "ok"), ("members.accept_invitation", "ok")]
    for event in AuditEvent.objects.all():
        assert issued.token not in str(event.params) + event.reason + event.target_label
    assert AuditEvent.objects.get(operation_id="members.accept_invitation").actor.email == "ida@example.test"


def test_a_write_refused_by_the_table_is_recorded(team, member_of) -> None:
    from django.urls import reverse

    viewer = member_of(Role.VIEWER)
    target = MembershipFactory(team=team, role=Role.VIEWER)
    response = viewer.post(reverse("accounts:member_remove", args=[target.pk]))
    assert response.status_code == 403
    event = AuditEvent.objects.get()
    assert (event.operation_id, event.outcome) == ("members.manage", "denied")
    assert event.params["view"] == "accounts:member_remove" and event.actor == viewer.membership.user
    assert viewer.get(reverse("accounts:team")).status_code == 200
    assert AuditEvent.objects.count() == 1  # reads are not recorded
