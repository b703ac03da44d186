"""Teams, memberships and invitations: the rules, through the pages a person uses."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panel.accounts import services
from panel.accounts.decorators import get_team_for_user, require_server_visible
from panel.accounts.models import Invitation, Membership
from panel.accounts.permissions import ActionDenied
from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from tests.factories import InvitationFactory, MembershipFactory, TeamFactory, UserFactory
from tests.fixtures_accounts import sign_in

pytestmark = pytest.mark.django_db


def _flash(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_creating_a_team_makes_the_creator_its_owner_and_current_team() -> None:
    user = UserFactory()
    browser = sign_in(user)
    assert browser.get(reverse("accounts:team"))["Location"] == reverse("accounts:teams")
    response = browser.post(reverse("accounts:team_create"), {"name": "Ops crew"})
    assert response["Location"] == reverse("accounts:team")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER and membership.team.name == "Ops crew"
    assert "Ops crew" in browser.get(reverse("accounts:team")).content.decode()


def test_team_name_is_required() -> None:
    browser = sign_in(UserFactory())
    response = browser.post(reverse("accounts:team_create"), {"name": "  "})
    assert response["Location"] == reverse("accounts:teams")
    assert not Membership.objects.exists()


def test_switching_between_teams(team, other_team) -> None:
    user = UserFactory()
    MembershipFactory(user=user, team=team, role=Role.VIEWER)
    MembershipFactory(user=user, team=other_team, role=Role.ADMIN)
    browser = sign_in(user, team=team)
    assert "Acme" in browser.get(reverse("accounts:team")).content.decode()
    browser.post(reverse("accounts:team_switch"), {"team": other_team.pk})
    page = browser.get(reverse("accounts:team")).content.decode()
    assert "Globex" in page and "Admin" in page
    stranger_team = TeamFactory()
    assert browser.post(reverse("accounts:team_switch"), {"team": stranger_team.pk}).status_code == 404
    with pytest.raises(Exception):
        get_team_for_user(user, stranger_team.pk)
    assert get_team_for_user(user, str(team.pk)) == team


def test_invitation_link_creates_an_account_and_joins(
    team, member_of, django_capture_on_commit_callbacks
) -> None:
    admin = member_of(Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves after the commit
        response = admin.post(reverse("accounts:invitation_create"),
                              {"email": "New@Example.test", "role": "operator"})
    assert response.status_code == 302 and "Invitation sent" in _flash(response)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.test"]
    link = re.search(r"http://testserver(/invitations/\S+/)", mail.outbox[0].body).group(1)
    invitation = Invitation.objects.get()
    assert link.split("/")[2] not in invitation.token_hash  # only the hash is stored
    newcomer = Client()
    page = newcomer.get(link)
    assert "Create your account" in page.content.decode()
    weak = newcomer.post(link, {"password1": "short", "password2": "short"})
    assert "too short" in weak.content.decode()
    joined = newcomer.post(link, {"full_name": "Nia", "password1": "a fine long passphrase",
                                  "password2": "a fine long passphrase"})
    assert joined["Location"] == reverse("accounts:team")
    membership = Membership.objects.get(user__email="new@example.test")
    assert membership.role == Role.OPERATOR and membership.team == team
    assert newcomer.get(reverse("accounts:team")).status_code == 200
    # Single use.
    assert Client().get(link).status_code == 404


def test_existing_person_accepts_while_signed_in_as_the_invited_address(team) -> None:
    person = UserFactory(email="sam@example.test")
    InvitationFactory(team=team, email="sam@example.test", role=Role.BILLING, token="tok-sam")
    anonymous = Client().get("/invitations/tok-sam/")
    assert "Sign in" in anonymous.content.decode()
    someone_else = sign_in(UserFactory())
    wrong = someone_else.post("/invitations/tok-sam/")
    assert "This invitation is for sam@example.test" in wrong.content.decode()
    assert not Membership.objects.filter(team=team).exists()
    browser = sign_in(person)
    assert browser.post("/invitations/tok-sam/")["Location"] == reverse("accounts:team")
    assert Membership.objects.get(team=team, user=person).role == Role.BILLING


def test_expired_and_revoked_invitations_do_not_work(team, member_of) -> None:
    InvitationFactory(team=team, token="tok-old", expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get("/invitations/tok-old/")
    assert response.status_code == 404 and "expired" in response.content.decode()
    admin = member_of(Role.ADMIN)
    invitation = InvitationFactory(team=team, token="tok-rev")
    admin.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    assert "withdrawn" in Client().get("/invitations/tok-rev/").content.decode()
    assert Client().get("/invitations/no-such-token/").status_code == 404


def test_reinviting_replaces_the_previous_link(team) -> None:
    owner = MembershipFactory(team=team, role=Role.OWNER)
    first = services.invite_member(owner, email="x@example.test", role=Role.VIEWER)
    second = services.invite_member(owner, email="x@example.test", role=Role.ADMIN)
    with pytest.raises(services.AccountsError, match="not valid"):
        services.find_invitation(first.token)
    assert services.find_invitation(second.token).role == Role.ADMIN


def test_reinviting_a_pending_address_resends_the_same_invitation(
    team, member_of, django_capture_on_commit_callbacks
) -> None:
    """One invitation per address: the second click refreshes and resends it, it adds no other."""
    owner = member_of(Role.OWNER)
    for role in ("viewer", "operator"):
        with django_capture_on_commit_callbacks(execute=True):
            owner.post(reverse("accounts:invitation_create"), {"email": "Kim@Example.test", "role": role})
    [invitation] = Invitation.objects.filter(team=team, email="kim@example.test")
    assert invitation.is_pending and invitation.role == Role.OPERATOR
    assert len(mail.outbox) == 2 and all(m.to == ["kim@example.test"] for m in mail.outbox)
    first, second = (re.search(r"http://testserver(/invitations/\S+/)", m.body).group(1) for m in mail.outbox)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    [event] = AuditEvent.objects.filter(operation_id="members.invite", params__resent=True)
    assert event.target_id == str(invitation.pk)


def test_an_admin_may_not_resend_an_owner_invitation_as_something_else(team, member_of) -> None:
    owner = MembershipFactory(team=team, role=Role.OWNER)
    services.invite_member(owner, email="boss@example.test", role=Role.OWNER)
    admin = member_of(Role.ADMIN)
    with pytest.raises(ActionDenied):
        services.invite_member(admin.membership, email="boss@example.test", role=Role.VIEWER)
    assert Invitation.objects.get(email="boss@example.test").role == Role.OWNER


def test_inviting_an_existing_member_or_a_bad_address_is_refused(team) -> None:
    owner = MembershipFactory(team=team, role=Role.OWNER)
    with pytest.raises(services.AccountsError, match="already a member"):
        services.invite_member(owner, email=owner.user.email.upper(), role=Role.VIEWER)
    with pytest.raises(services.AccountsError, match="valid email"):
        services.invite_member(owner, email="not-an-address", role=Role.VIEWER)
    with pytest.raises(services.AccountsError, match="Unknown role"):
        services.invite_member(owner, email="a@example.test", role="emperor")


def test_only_owners_make_owners(team, member_of) -> None:
    admin = member_of(Role.ADMIN)
    viewer = MembershipFactory(team=team, role=Role.VIEWER)
    response = admin.post(reverse("accounts:member_role", args=[viewer.pk]), {"role": "owner"})
    assert response.status_code == 403 and "Only an owner" in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER
    with pytest.raises(ActionDenied):
        services.invite_member(admin.membership, email="boss@example.test", role=Role.OWNER)
    owner = member_of(Role.OWNER)
    owner.post(reverse("accounts:member_role", args=[viewer.pk]), {"role": "owner"})
    viewer.refresh_from_db()
    assert viewer.role == Role.OWNER


def test_admin_cannot_change_or_remove_an_owner(team, member_of) -> None:
    owner = MembershipFactory(team=team, role=Role.OWNER)
    MembershipFactory(team=team, role=Role.OWNER)
    admin = member_of(Role.ADMIN)
    assert admin.post(reverse("accounts:member_role", args=[owner.pk]), {"role": "viewer"}).status_code == 403
    assert admin.post(reverse("accounts:member_remove", args=[owner.pk])).status_code == 403
    assert Membership.objects.get(pk=owner.pk).role == Role.OWNER


def test_last_owner_cannot_be_demoted(team, member_of) -> None:
    owner = member_of(Role.OWNER)
    response = owner.post(reverse("accounts:member_role", args=[owner.membership.pk]), {"role": "admin"})
    assert "must keep at least one owner" in _flash(response)
    assert Membership.objects.get(pk=owner.membership.pk).role == Role.OWNER


def test_last_owner_cannot_be_removed(team) -> None:
    owner = MembershipFactory(team=team, role=Role.OWNER)
    with pytest.raises(services.AccountsError, match="at least one owner"):
        services.remove_member(owner, owner)
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_last_owner_cannot_leave_but_can_after_handing_over(team, member_of) -> None:
    owner = member_of(Role.OWNER)
    response = owner.post(reverse("accounts:team_leave"))
    assert "must keep at least one owner" in _flash(response)
    assert Membership.objects.filter(pk=owner.membership.pk).exists()
    MembershipFactory(team=team, role=Role.OWNER)
    response = owner.post(reverse("accounts:team_leave"))
    assert response["Location"] == reverse("accounts:teams")
    assert not Membership.objects.filter(pk=owner.membership.pk).exists()


def test_member_can_leave_and_admin_can_remove(team, member_of) -> None:
    MembershipFactory(team=team, role=Role.OWNER)
    viewer = member_of(Role.VIEWER)
    viewer.post(reverse("accounts:team_leave"))
    assert not Membership.objects.filter(pk=viewer.membership.pk).exists()
    admin = member_of(Role.ADMIN)
    operator = MembershipFactory(team=team, role=Role.OPERATOR)
    admin.post(reverse("accounts:member_remove", args=[operator.pk]))
    assert not Membership.objects.filter(pk=operator.pk).exists()


def test_limit_a_member_to_chosen_servers(team, member_of) -> None:
    admin = member_of(Role.ADMIN)
    operator = MembershipFactory(team=team, role=Role.OPERATOR)
    url = reverse("accounts:member_servers", args=[operator.pk])
    bad = admin.post(url, {"servers": "12:34, web-1"})
    assert "Not a server id: web-1" in _flash(bad)
    admin.post(url, {"servers": "12:34\n12:35, 12:34"})
    operator.refresh_from_db()
    assert operator.server_scope == ["12:34", "12:35"]
    assert operator.may_see_server(12, 34) and not operator.may_see_server(12, 99)
    require_server_visible(operator, 12, 35)
    from django.http import Http404

    with pytest.raises(Http404):
        require_server_visible(operator, 99, 34)
    admin.post(url, {"servers": ""})
    operator.refresh_from_db()
    assert operator.server_scope == [] and operator.may_see_server(1, 1)


def test_owner_settings_require_2fa_of_the_team(team, member_of) -> None:
    owner = member_of(Role.OWNER)
    owner.post(reverse("accounts:team_settings"), {"name": "Acme Ops", "require_2fa": "on"})
    team.refresh_from_db()
    assert team.require_2fa and team.name == "Acme Ops"
    # The owner has not enrolled yet: the next page is the enrollment.
    assert owner.get(reverse("accounts:team"))["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_team_page_lists_members_and_hides_management_from_viewers(team, member_of) -> None:
    MembershipFactory(team=team, role=Role.OWNER, user=UserFactory(email="olga@example.test"))
    viewer = member_of(Role.VIEWER)
    page = viewer.get(reverse("accounts:team")).content.decode()
    assert "olga@example.test" in page or "Person" in page
    assert "Send invitation" not in page and "Change role" not in page
    admin = member_of(Role.ADMIN)
    page = admin.get(reverse("accounts:team")).content.decode()
    assert "Send invitation" in page and "Change role" in page
    assert '<option value="owner"' not in page  # an admin is not offered the owner role


def test_a_new_person_signs_in_with_the_password_chosen_at_acceptance(team) -> None:
    InvitationFactory(team=team, email="liu@example.test", token="tok-liu")
    Client().post("/invitations/tok-liu/", {"password1": "liu's long passphrase", "password2":
                                              "liu's long passphrase"})
    browser = Client()
    response = browser.post(reverse("accounts:login"), {"username": "liu@example.test",
                                                        "password": "liu's long passphrase"})
    assert response.status_code == 302
    assert browser.get(reverse("accounts:team")).status_code == 200
