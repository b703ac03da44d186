"""What a sign-in at a provider does to a person's teams, and who may still use a password.

At every sign-in, for each team that chose this provider:
- the email's domain must be one the team allows, else the provider grants nothing there;
- the role rules are matched against the claims (the groups claim, or any claim named in a rule);
  the most powerful matching role wins;
- a membership the rules granted earlier (`ProviderGrant`) follows the rules: its role changes with
  the groups, and it is removed when no rule matches any more (the person left the group) or the
  domain is no longer allowed. The team's last owner is never demoted or removed this way;
- memberships made by invitation are the owners' business and are left alone.
An unknown person whom no rule places in a team gets no account, unless an invitation waits for
their address (they then sign in to accept it). Every change is an audit event of the team.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from panel.accounts.models import Invitation, Membership, Team, User
from panel.accounts.roles import Role
from panel.audit import recorder as audit

from .config import ProviderConfig
from .models import ExternalIdentity, ProviderGrant, RoleRule, TeamSignIn

ROLE_ORDER = list(Role)  # most powerful first

MEMBERSHIP_GRANTED = "sso.membership_granted"
ROLE_SYNCED = "sso.role_synced"
MEMBERSHIP_REMOVED = "sso.membership_removed"
LAST_OWNER_KEPT = "sso.last_owner_kept"
DOMAIN_REFUSED = "sso.domain_refused"


class SignInRefused(Exception):
    """The provider vouched for the person, but the panel's rules let them in nowhere (message says why).

    `email`: the address the provider gave, when known, so the audit log names who was refused.
    """

    def __init__(self, message: str, *, email: str = "") -> None:
        super().__init__(message)
        self.email = email


@dataclass(frozen=True)
class Identity:
    """The claims a sign-in rests on, normalised."""

    provider: ProviderConfig
    subject: str
    email: str
    name: str
    claims: dict[str, Any]

    @classmethod
    def from_claims(cls, provider: ProviderConfig, claims: dict[str, Any]) -> Identity:
        subject = str(claims.get("sub") or "").strip()
        email = str(claims.get("email") or "").strip().lower()
        if not subject:
            raise SignInRefused(f"{provider.name} did not say who you are (no subject).")
        if not email or "@" not in email or len(email) > 254:
            raise SignInRefused(f"{provider.name} did not send your email address; ask its administrator.")
        if claims.get("email_verified") is False:
            raise SignInRefused(f"{provider.name} has not verified {email}; verify it there first.")
        name = str(claims.get("name") or "").strip()[:150]
        return cls(provider=provider, subject=subject, email=email, name=name, claims=claims)


def claim_values(claims: dict[str, Any], claim: str) -> set[str]:
    """A claim's values as strings: a list of groups, or one value (Keycloak paths like `/ops` too)."""
    value = claims.get(claim)
    if value is None:
        return set()
    items = value if isinstance(value, list | tuple) else [value]
    found: set[str] = set()
    for item in items:
        if isinstance(item, str | int | bool):
            text = str(item).strip()
            found |= {text, text.lstrip("/")}
    return found


def role_for(rules: list[RoleRule], identity: Identity) -> Role | None:
    """The most powerful role among the matching rules, or None."""
    matched = [Role(rule.role) for rule in rules if rule.value in claim_values(identity.claims, rule.claim)]
    return min(matched, key=ROLE_ORDER.index) if matched else None


def _event(team: Team, operation_id: str, membership_or_email: Membership | str, request: HttpRequest | None,
           outcome: str = audit.Outcome.OK, **params: Any) -> None:
    target: dict[str, Any]
    if isinstance(membership_or_email, Membership):
        target = {"target_type": "membership", "target_id": membership_or_email.pk,
                  "target_label": membership_or_email.user.email}
    else:
        target = {"target_type": "user", "target_label": membership_or_email}
    audit.record(actor=None, actor_label="identity provider", team=team, operation_id=operation_id,
                 outcome=outcome, params=params, request=request, **target)


def _is_last_owner(membership: Membership) -> bool:
    return membership.role == Role.OWNER and not (
        Membership.objects.filter(team=membership.team, role=Role.OWNER).exclude(pk=membership.pk).exists()
    )


def _find_user(identity: Identity) -> tuple[User | None, ExternalIdentity | None]:
    link = (ExternalIdentity.objects.select_related("user")
            .filter(provider=identity.provider.key, subject=identity.subject).first())
    if link is not None:
        return link.user, link
    # First sign-in with this provider: an existing account with the address is theirs, when the
    # provider vouches for the address: it says it verified it, or a team that chose this provider
    # declared the address's domain as its own. Otherwise anyone able to set an email address at
    # the provider could take over a panel account.
    user = User.objects.filter(email__iexact=identity.email).first()
    if user is not None and not _vouches_for_address(identity):
        raise SignInRefused(
            f"An account for {identity.email} exists, and {identity.provider.name} has not verified that "
            "address. Sign in with your password, or ask the provider's administrator to verify it."
        )
    return user, None


def _vouches_for_address(identity: Identity) -> bool:
    if identity.claims.get("email_verified") is True:
        return True
    teams = TeamSignIn.objects.filter(provider=identity.provider.key)
    return any(sign_in.allows_domain(identity.email) for sign_in in teams)


def _has_pending_invitation(email: str) -> bool:
    return Invitation.objects.filter(
        email__iexact=email, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).exists()


def _plan(identity: Identity, user: User | None, request: HttpRequest | None
          ) -> list[tuple[Team, Role | None, Membership | None]]:
    """For each team on this provider: the role its rules give (None: none), and the current membership.

    A domain the team does not allow is recorded here, outside the sign-in's transaction, so the
    refusal stays in the log even when the sign-in is then refused as a whole.
    """
    plans = []
    for sign_in in TeamSignIn.objects.select_related("team").filter(provider=identity.provider.key):
        team = sign_in.team
        role = role_for(list(RoleRule.objects.filter(team=team)), identity)
        if role is not None and not sign_in.allows_domain(identity.email):
            _event(team, DOMAIN_REFUSED, identity.email, request, audit.Outcome.DENIED,
                   provider=identity.provider.key, domain=identity.email.rpartition("@")[2])
            role = None
        membership = None
        if user is not None:
            membership = Membership.objects.select_related("user").filter(team=team, user=user).first()
        plans.append((team, role, membership))
    return plans


def apply_sign_in(identity: Identity, request: HttpRequest | None = None) -> User:
    """Create, update or remove the person's provider-granted memberships; return the person.

    Raises `SignInRefused` when the person may not sign in at all (nothing is changed then).
    """
    user, link = _find_user(identity)
    if user is not None and not user.is_active:
        raise SignInRefused("This account is disabled in the panel.", email=identity.email)
    plans = _plan(identity, user, request)
    grants_nothing = all(role is None for _, role, _ in plans)
    if user is None and grants_nothing and not _has_pending_invitation(identity.email):
        raise SignInRefused(
            f"{identity.provider.name} knows you, but no team of this panel lets your groups in. "
            "Ask a team owner to invite you or to map your group to a role.",
            email=identity.email,
        )
    with transaction.atomic():
        if user is None:
            user = User.objects.create_user(identity.email, password=None, full_name=identity.name)
        for team, role, membership in plans:
            _apply_plan(team, role, membership, user, identity, request)
        if link is None:
            link = ExternalIdentity(user=user, provider=identity.provider.key, subject=identity.subject)
        link.email = identity.email
        link.last_sign_in_at = timezone.now()
        link.save()
    return user


def _apply_plan(team: Team, role: Role | None, membership: Membership | None, user: User,
                identity: Identity, request: HttpRequest | None) -> None:
    provider = identity.provider.key
    if membership is None:
        if role is not None:
            membership = Membership.objects.create(team=team, user=user, role=role)
            ProviderGrant.objects.create(membership=membership, provider=provider)
            _event(team, MEMBERSHIP_GRANTED, membership, request, provider=provider, role=role.value)
        return
    if not ProviderGrant.objects.filter(membership=membership).exists():
        return  # invited by an owner: not the provider's to change
    if role == membership.role:
        return
    if _is_last_owner(membership):
        _event(team, LAST_OWNER_KEPT, membership, request, audit.Outcome.DENIED, provider=provider,
               wanted=role.value if role else "removed")
        return
    if role is None:
        _event(team, MEMBERSHIP_REMOVED, membership, request, provider=provider, role=membership.role)
        membership.delete()
        return
    _event(team, ROLE_SYNCED, membership, request, provider=provider,
           before=membership.role, after=role.value)
    membership.role = role
    membership.save(update_fields=["role"])


def password_refusal(user: User) -> str | None:
    """Why `user` may not sign in with a password (a team of theirs turned it off), or None."""
    blocked = (TeamSignIn.objects.filter(team__memberships__user=user, password_sign_in=False)
               .select_related("team").order_by("team__name").first())
    if blocked is None:
        return None
    from .providers import get

    provider = get(blocked.provider)
    how = f"with {provider.name}" if provider else "with your team's identity provider"
    return f"{blocked.team.name} signs in {how}, not with a password."


def owners_with_provider(team: Team, provider_key: str) -> int:
    """Owners of `team` who have signed in with the provider: they keep a way in without passwords."""
    return Membership.objects.filter(
        team=team, role=Role.OWNER,
        user__external_identities__provider=provider_key, user__is_active=True,
    ).distinct().count()
