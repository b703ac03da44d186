"""Every named URL of the panel, with what it takes to use it. Shared by all areas.

`URLS[url_name] = (method, action, kwargs_builder)`:
- method: the HTTP method that performs the page's job ("GET" or "POST").
- action: a key of `panel.accounts.permissions.ROLE_PERMISSIONS`; `None` = any signed-in person
  (login only); `PUBLIC` = no sign-in needed.
- kwargs_builder(team) -> URL kwargs, creating whatever object of `team` the URL needs. A URL with
  kwargs is also checked from another team's member: it must answer 404.

tests/accounts/test_permission_matrix.py walks the URL resolver and fails when a named URL is
missing here; add yours when you add a URL.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from panel.accounts.models import Team

PUBLIC = "public"

KwargsBuilder = Callable[[Team], dict[str, Any]]


def no_kwargs(team: Team) -> dict[str, Any]:
    return {}


def _viewer_membership(team: Team) -> dict[str, Any]:
    from tests.factories import MembershipFactory

    return {"membership_id": MembershipFactory(team=team, role="viewer").pk}


def _invitation(team: Team) -> dict[str, Any]:
    from tests.factories import InvitationFactory

    return {"invitation_id": InvitationFactory(team=team).pk}


def _invitation_token(team: Team) -> dict[str, Any]:
    from tests.factories import InvitationFactory

    InvitationFactory(team=team, token="matrix-token")
    return {"token": "matrix-token"}


def _api_token(team: Team) -> dict[str, Any]:
    """A token of `team`, stored directly (no VPSBG check: the matrix tests access, not VPSBG)."""
    from panel.vault.models import ApiToken, TokenScope

    token = ApiToken.objects.filter(team=team).first()
    if token is None:
        token = ApiToken(team=team, name="matrix token", scope=TokenScope.READ_WRITE)
        token.set_secret("matrix-token-secret-0000")
        token.save()
    return {"pk": token.pk}


def _audit_event(team: Team) -> dict[str, Any]:
    from panel.audit.recorder import record

    return {"pk": record(team=team, operation_id="servers_restart", outcome="ok").pk}


URLS: dict[str, tuple[str, str | None, KwargsBuilder]] = {
    # --- core ---
    "home": ("GET", None, no_kwargs),
    # --- accounts ---
    "accounts:login": ("GET", PUBLIC, no_kwargs),
    "accounts:logout": ("POST", None, no_kwargs),
    "accounts:two_factor_verify": ("GET", None, no_kwargs),
    "accounts:two_factor_setup": ("GET", None, no_kwargs),
    "accounts:recovery_codes": ("POST", None, no_kwargs),
    "accounts:two_factor_disable": ("POST", None, no_kwargs),
    "accounts:security": ("GET", None, no_kwargs),
    "accounts:sign_out_others": ("POST", None, no_kwargs),
    "accounts:password_change": ("GET", None, no_kwargs),
    "accounts:password_reset": ("GET", PUBLIC, no_kwargs),
    "accounts:password_reset_done": ("GET", PUBLIC, no_kwargs),
    "accounts:password_reset_confirm": ("GET", PUBLIC, lambda team: {"uidb64": "MQ", "token": "bad-token"}),
    "accounts:password_reset_complete": ("GET", PUBLIC, no_kwargs),
    "accounts:teams": ("GET", None, no_kwargs),
    "accounts:team_create": ("POST", None, no_kwargs),
    "accounts:team_switch": ("POST", None, no_kwargs),
    "accounts:team": ("GET", "team.view", no_kwargs),
    "accounts:team_settings": ("POST", "team.settings", no_kwargs),
    "accounts:team_leave": ("POST", "team.view", no_kwargs),
    "accounts:invitation_create": ("POST", "members.manage", no_kwargs),
    "accounts:invitation_revoke": ("POST", "members.manage", _invitation),
    "accounts:member_role": ("POST", "members.manage", _viewer_membership),
    "accounts:member_servers": ("POST", "members.manage", _viewer_membership),
    "accounts:member_remove": ("POST", "members.manage", _viewer_membership),
    "accounts:invitation_accept": ("GET", PUBLIC, _invitation_token),
    # --- vault (panel/vault/urls.py; every method of each URL: tests/vault/test_permissions.py) ---
    "vault:token_list": ("GET", "tokens.view", no_kwargs),
    "vault:token_add": ("GET", "tokens.manage", no_kwargs),
    "vault:token_replace": ("GET", "tokens.manage", _api_token),
    "vault:token_check": ("POST", "tokens.manage", _api_token),
    "vault:token_delete": ("GET", "tokens.manage", _api_token),
    # --- audit (panel/audit/urls.py; staff and filters: tests/audit/test_audit_views.py) ---
    "audit:index": ("GET", "audit.read", no_kwargs),
    "audit:detail": ("GET", "audit.read", _audit_event),
    "audit:export_csv": ("GET", "audit.read", no_kwargs),
    "audit:export_json": ("GET", "audit.read", no_kwargs),
}

# URL name prefixes the matrix does not cover (Django admin, static files, health, API schema).
EXCLUDED_PREFIXES = ("admin:", "healthz", "livez", "schema", "api:schema", "api-schema", "static")
