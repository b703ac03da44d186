"""Owners' changes to a team's sign-in: provider, email domains, password sign-in, role rules.

Each change is one audit event of the team (refusals too), written by `accounts.services._audited`
like every other team setting.
"""
from __future__ import annotations

import re

from panel.accounts.models import Membership
from panel.accounts.permissions import require
from panel.accounts.roles import Role
from panel.accounts.services import AccountsError, _audited

from . import providers
from .models import RoleRule, TeamSignIn
from .rules import owners_with_provider

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CLAIM = re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$")
MAX_DOMAINS = 50

SETTINGS_CHANGED = "sso.settings_changed"
RULE_ADDED = "sso.rule_added"
RULE_REMOVED = "sso.rule_removed"


def team_sign_in(team_id: int) -> TeamSignIn:
    return TeamSignIn.objects.select_related("team").get_or_create(team_id=team_id)[0]


def parse_domains(text: str) -> list[str]:
    """`example.com, ops.example.org` → a sorted list; `AccountsError` naming what is not a domain."""
    words = [w.strip().lower().lstrip("@") for w in re.split(r"[\s,;]+", text or "") if w.strip()]
    bad = [w for w in words if not _DOMAIN.match(w)]
    if bad:
        raise AccountsError(f"Not an email domain: {', '.join(bad[:5])}.")
    if len(set(words)) > MAX_DOMAINS:
        raise AccountsError(f"At most {MAX_DOMAINS} domains.")
    return sorted(set(words))


def save_sign_in(
    actor: Membership, *, provider: str, domains: list[str], password_sign_in: bool
) -> TeamSignIn:
    """Save the team's sign-in settings; turning passwords off needs an owner who signs in at the provider."""
    provider = (provider or "").strip().lower()
    params: dict[str, object] = {
        "provider": provider, "allowed_domains": domains, "password_sign_in": password_sign_in,
    }
    with _audited(SETTINGS_CHANGED, actor=actor.user, team=actor.team, params=params) as event:
        event.update(target_type="team", target_id=actor.team_id, target_label=actor.team.name)
        require(actor, "team.settings")
        chosen = providers.get(provider) if provider else None
        if provider and chosen is None:
            raise AccountsError("Choose one of the identity providers this panel is configured with.")
        if not password_sign_in:
            if chosen is None:
                raise AccountsError("Choose an identity provider before turning password sign-in off.")
            if owners_with_provider(actor.team, provider) == 0:
                raise AccountsError(
                    f"Password sign-in stays on until an owner has signed in with {chosen.name}: "
                    "otherwise no owner would have a way in."
                )
        sign_in = TeamSignIn.objects.select_for_update().get_or_create(team_id=actor.team_id)[0]
        params["before"] = {  # the same dict _audited records
            "provider": sign_in.provider, "allowed_domains": sign_in.allowed_domains,
            "password_sign_in": sign_in.password_sign_in,
        }
        sign_in.provider = provider
        sign_in.allowed_domains = domains
        sign_in.password_sign_in = password_sign_in
        sign_in.save()
    return sign_in


def add_rule(actor: Membership, *, claim: str, value: str, role: str) -> RoleRule:
    claim, value = (claim or "").strip(), (value or "").strip()
    params = {"claim": claim, "value": value, "role": role}
    with _audited(RULE_ADDED, actor=actor.user, team=actor.team, params=params) as event:
        require(actor, "team.settings")
        if not _CLAIM.match(claim):
            raise AccountsError("A claim name has 1 to 64 letters, digits or _ . : / -.")
        if not value or len(value) > 200:
            raise AccountsError("A group or claim value has 1 to 200 characters.")
        if role not in Role.values:
            raise AccountsError("Choose one of the roles.")
        if RoleRule.objects.filter(team=actor.team, claim=claim, value=value).exists():
            raise AccountsError(f"A rule for {claim} = {value} exists; remove it first to change its role.")
        rule = RoleRule.objects.create(team=actor.team, claim=claim, value=value, role=role)
        event.update(target_type="role_rule", target_id=rule.pk, target_label=str(rule))
    return rule


def remove_rule(actor: Membership, rule: RoleRule) -> None:
    params = {"claim": rule.claim, "value": rule.value, "role": rule.role}
    with _audited(RULE_REMOVED, actor=actor.user, team=actor.team, params=params) as event:
        event.update(target_type="role_rule", target_id=rule.pk, target_label=str(rule))
        require(actor, "team.settings")
        if rule.team_id != actor.team_id:
            raise AccountsError("That rule belongs to another team.")
        rule.delete()
