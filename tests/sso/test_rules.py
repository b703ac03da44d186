"""What a provider sign-in does to teams: the rules, the allowed domains, the last owner, invitations."""
from __future__ import annotations

import pytest

from panel.accounts.models import Membership, User
from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.sso.config import ProviderConfig
from panel.sso.models import ExternalIdentity, ProviderGrant, RoleRule, TeamSignIn
from panel.sso.rules import Identity, SignInRefused, apply_sign_in
from tests.factories import InvitationFactory, MembershipFactory, TeamFactory, UserFactory

PROVIDER = ProviderConfig(key="corp", name="Corp ID", issuer="https://id.example.com", client_id="panel",
                          client_secret="secret")


def _identity(sub: str = "u1", email: str = "ann@example.com", **claims) -> Identity:
    return Identity.from_claims(PROVIDER, {"sub": sub, "email": email, "email_verified": True, **claims})


@pytest.fixture
def team(db):
    team = TeamFactory(name="Ops")
    TeamSignIn.objects.create(team=team, provider="corp", allowed_domains=["example.com"])
    RoleRule.objects.create(team=team, claim="groups", value="ops", role=Role.OPERATOR)
    RoleRule.objects.create(team=team, claim="groups", value="leads", role=Role.OWNER)
    RoleRule.objects.create(team=team, claim="department", value="finance", role=Role.BILLING)
    return team


def test_an_unknown_person_whom_no_rule_places_gets_no_account(team) -> None:
    with pytest.raises(SignInRefused, match="no team of this panel"):
        apply_sign_in(_identity(groups=["sales"]))
    assert not User.objects.filter(email="ann@example.com").exists()


def test_an_invited_person_may_sign_in_to_accept(team) -> None:
    InvitationFactory(team=team, email="ann@example.com")
    user = apply_sign_in(_identity(groups=[]))
    assert user.email == "ann@example.com" and not user.memberships.exists()


def test_the_most_powerful_matching_role_wins_and_keycloak_paths_match(team) -> None:
    user = apply_sign_in(_identity(groups=["/ops", "viewers"], department="finance"))
    assert Membership.objects.get(team=team, user=user).role == Role.OPERATOR
    assert ProviderGrant.objects.filter(membership__user=user, provider="corp").exists()


def test_a_domain_the_team_does_not_allow_gets_nothing_and_is_logged(team) -> None:
    with pytest.raises(SignInRefused):
        apply_sign_in(_identity(email="ann@elsewhere.org", groups=["ops"]))
    event = AuditEvent.objects.get(operation_id="sso.domain_refused")
    assert (event.team_id, event.outcome, event.params["domain"]) == (team.pk, "denied", "elsewhere.org")


def test_a_membership_made_by_invitation_is_left_alone(team) -> None:
    invited = MembershipFactory(team=team, role=Role.ADMIN, user=UserFactory(email="ann@example.com"))
    apply_sign_in(_identity(groups=[]))
    invited.refresh_from_db()
    assert invited.role == Role.ADMIN


def test_the_last_owner_is_never_removed_by_a_sign_in(team) -> None:
    user = apply_sign_in(_identity(groups=["leads"]))
    assert Membership.objects.get(team=team, user=user).role == Role.OWNER
    apply_sign_in(_identity(groups=[]))
    assert Membership.objects.get(team=team, user=user).role == Role.OWNER
    assert AuditEvent.objects.filter(operation_id="sso.last_owner_kept", team=team, outcome="denied").exists()
    MembershipFactory(team=team, role=Role.OWNER)  # another owner now: the provider's word holds
    apply_sign_in(_identity(groups=["ops"]))
    assert Membership.objects.get(team=team, user=user).role == Role.OPERATOR


def test_a_person_is_the_same_person_when_the_provider_changes_their_email(team) -> None:
    first = apply_sign_in(_identity(groups=["ops"]))
    again = apply_sign_in(_identity(email="ann.new@example.com", groups=["ops"]))
    assert again.pk == first.pk
    assert ExternalIdentity.objects.get(user=first).email == "ann.new@example.com"


@pytest.mark.parametrize(("claims", "reason"), [
    ({"sub": "u1", "email": "ann@example.com", "email_verified": False}, "has not verified"),
    ({"sub": "u1"}, "did not send your email"),
    ({"email": "ann@example.com"}, "no subject"),
])
def test_claims_the_panel_cannot_trust_are_refused(team, claims, reason) -> None:
    with pytest.raises(SignInRefused, match=reason):
        Identity.from_claims(PROVIDER, claims)


def test_a_disabled_account_stays_out(team) -> None:
    UserFactory(email="ann@example.com", is_active=False)
    with pytest.raises(SignInRefused, match="disabled"):
        apply_sign_in(_identity(groups=["ops"]))


def test_an_existing_account_is_linked_only_to_an_address_the_provider_vouches_for(team) -> None:
    existing = UserFactory(email="ann@other.org")
    unverified = Identity.from_claims(PROVIDER, {"sub": "u9", "email": "ann@other.org", "groups": ["ops"]})
    with pytest.raises(SignInRefused, match="has not verified that address"):
        apply_sign_in(unverified)
    assert not ExternalIdentity.objects.exists()
    assert apply_sign_in(_identity(sub="u9", email="ann@other.org")).pk == existing.pk  # verified
    team_domain = Identity.from_claims(PROVIDER, {"sub": "u8", "email": "bob@example.com"})
    bob = UserFactory(email="bob@example.com")
    assert apply_sign_in(team_domain).pk == bob.pk  # example.com is the team's own domain
