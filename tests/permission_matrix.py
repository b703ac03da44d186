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


def _role_rule(team: Team) -> dict[str, Any]:
    from panel.sso.models import RoleRule

    return {"rule_id": RoleRule.objects.create(team=team, claim="groups", value="matrix", role="viewer").pk}


def _api_token(team: Team) -> dict[str, Any]:
    """A token of `team`, stored directly (no VPSBG check: the matrix tests access, not VPSBG)."""
    from panel.vault.models import ApiToken, TokenScope

    token = ApiToken.objects.filter(team=team).first()
    if token is None:
        token = ApiToken(team=team, name="matrix token", scope=TokenScope.READ_WRITE)
        token.set_secret("matrix-token-secret-0000")
        token.save()
    return {"pk": token.pk}


def _panel_api_token(team: Team) -> dict[str, Any]:
    """A panel API token of a member of `team` (another member's: only admins may revoke it)."""
    from panel.api.tokens import create_token
    from panel.services.context import Actor
    from tests.factories import MembershipFactory

    token, _ = create_token(actor=Actor(MembershipFactory(team=team, role="viewer")), label="matrix")
    return {"pk": token.pk}


def _audit_event(team: Team) -> dict[str, Any]:
    from panel.audit.recorder import record

    return {"pk": record(team=team, operation_id="servers_restart", outcome="ok").pk}


def _server_of_team(team: Team) -> dict[str, Any]:
    """A server reference in one of `team`'s VPSBG accounts (the account comes from its token)."""
    from panel.vault.models import ApiToken

    _api_token(team)
    ApiToken.objects.filter(team=team).update(account_id=f"acct-{team.pk}@example")
    return {"server": f"acct-{team.pk}@example:1"}


def _operation(team: Team) -> dict[str, Any]:
    from panel.operations.models import Operation

    op = Operation.objects.create(
        team=team, kind="reinstall", state="succeeded", target_type="server", target_id="acct@example:1"
    )
    return {"pk": op.pk}


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
    "accounts:time_zone": ("POST", None, no_kwargs),
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
    # --- sso (panel/sso/urls.py; the sign-in flow itself: tests/sso/) ---
    "sso:start": ("GET", PUBLIC, no_kwargs),
    "sso:callback": ("GET", PUBLIC, no_kwargs),
    "sso:team_sign_in": ("GET", "team.settings", no_kwargs),
    "sso:rule_add": ("POST", "team.settings", no_kwargs),
    "sso:rule_remove": ("POST", "team.settings", _role_rule),
    # --- vault (panel/vault/urls.py; every method of each URL: tests/vault/test_permissions.py) ---
    "vault:token_list": ("GET", "tokens.view", no_kwargs),
    "vault:token_add": ("GET", "tokens.manage", no_kwargs),
    "vault:token_replace": ("GET", "tokens.manage", _api_token),
    "vault:token_check": ("POST", "tokens.manage", _api_token),
    "vault:token_delete": ("GET", "tokens.manage", _api_token),
    # --- panel API tokens (panel/api/urls_web.py; token behaviour: tests/api/test_tokens.py) ---
    "api_tokens:list": ("GET", "team.view", no_kwargs),
    "api_tokens:revoke": ("POST", "members.manage", _panel_api_token),  # own tokens: any role
    # --- audit (panel/audit/urls.py; staff and filters: tests/audit/test_audit_views.py) ---
    "audit:index": ("GET", "audit.read", no_kwargs),
    "audit:detail": ("GET", "audit.read", _audit_event),
    "audit:export_csv": ("GET", "audit.read", no_kwargs),
    "audit:export_json": ("GET", "audit.read", no_kwargs),
    # --- operations (panel/operations/urls.py; htmx polling and cancel: tests/operations/test_views.py) ---
    "operations:list": ("GET", "operations.view", no_kwargs),
    "operations:detail": ("GET", "operations.view", _operation),
    "operations:cancel": ("POST", "operations.view", _operation),
    "operations:server_progress": ("GET", "operations.view", _server_of_team),
}

# URL name prefixes the matrix does not cover (Django admin, static files, health, API schema).
# "api:" names are checked endpoint by endpoint, method by method, in tests/api/test_permission_matrix.py.
# "metrics" is granted by no role (only its scrape token or an allowed address): every role is
# refused in tests/core/test_metrics_access.py.
EXCLUDED_PREFIXES = ("admin:", "healthz", "livez", "schema", "api:", "api-schema", "static", "metrics")


# --- web: dashboard and servers (panel/web/urls.py; behaviour: tests/web/) ---
MATRIX_ACCOUNT = "matrix@vpsbg.example"


def _server_ref(team: Team) -> dict[str, Any]:
    """A server of an account `team` holds a token for (VPSBG is unreachable in the matrix: the
    pages show their friendly upstream message; another team's member gets 404)."""
    from panel.vault.models import ApiToken, TokenScope, TokenStatus

    if not ApiToken.objects.filter(team=team, account_id=MATRIX_ACCOUNT).exists():
        token = ApiToken(team=team, name="matrix account token", scope=TokenScope.READ_WRITE,
                         account_id=MATRIX_ACCOUNT, account_label="Matrix", status=TokenStatus.OK)
        token.set_secret("matrix-account-secret-0000")
        token.save()
    return {"ref": f"{MATRIX_ACCOUNT}:2864"}


URLS.update({
    "web:dashboard": ("GET", "team.view", no_kwargs),
    "web:servers": ("GET", "servers_list", no_kwargs),
    "web:server_detail": ("GET", "servers_get", _server_ref),
    "web:server_start": ("POST", "servers_start", _server_ref),
    "web:server_restart": ("POST", "servers_restart", _server_ref),
    "web:server_stop": ("POST", "servers_stop", _server_ref),
    "web:server_power_off": ("POST", "servers_power_off", _server_ref),
    "web:server_hostname": ("POST", "servers_update_hostname", _server_ref),
    "web:server_reverse_dns": ("POST", "ip_addresses_update", _server_ref),
    "web:server_isos": ("POST", "servers_modify_isos", _server_ref),
    "web:server_ssh_keys": ("POST", "servers_update_ssh_keys", _server_ref),
    "web:server_metrics": ("GET", "servers_metrics", _server_ref),
    "web:server_bandwidth": ("GET", "servers_bandwidth", _server_ref),
})

# Server actions behind a confirmation page: GET shows what will happen (and the cost).
URLS.update({
    f"web:server_{slug}": ("GET", operation_id, _server_ref)
    for slug, operation_id in (
        ("reinstall", "servers_reinstall"), ("restore", "servers_restore"),
        ("snapshot", "servers_snapshots_create"), ("delete_snapshot", "snapshots_delete"),
        ("delete_backup", "backups_delete"), ("rescue_on", "servers_rescue_enable"),
        ("rescue_off", "servers_rescue_disable"), ("password", "servers_change_password"),
        ("primary_ip", "servers_change_primary_ip"), ("renew", "servers_renew"),
        ("scale", "servers_scale"), ("cancel", "servers_cancel"), ("undo_cancel", "servers_undo_cancel"),
        ("buy_addon", "servers_addons_purchase"), ("scale_addons", "servers_addons_scale"),
        ("cancel_addon", "servers_addons_cancel"), ("undo_cancel_addon", "servers_addons_undo_cancel"),
        ("attach_floating_ip", "floating_ips_attach"), ("detach_floating_ip", "floating_ips_detach"),
        ("measured_boot", "servers_set_measured_boot"),
    )
})


def _account_object(team: Team) -> dict[str, Any]:
    """An object (SSH key, ISO, boot image) of the matrix account held by `team`."""
    return {"ref": _server_ref(team)["ref"]}


def _plan(team: Team) -> dict[str, Any]:
    """A plan id, with the matrix account held by `team` (the page lists that account's plans)."""
    _server_ref(team)
    return {"plan_id": 104}


URLS.update({
    "web:library": ("GET", "ssh_keys_list", no_kwargs),
    "web:ssh_key_create": ("POST", "ssh_keys_create", no_kwargs),
    "web:ssh_key": ("GET", "ssh_keys_get", _account_object),
    "web:ssh_key_update": ("POST", "ssh_keys_update", _account_object),
    "web:ssh_key_delete": ("GET", "ssh_keys_delete", _account_object),
    "web:iso_add": ("POST", "isos_add", no_kwargs),
    "web:iso_delete": ("GET", "isos_delete", _account_object),
    "web:boot_image_upload": ("POST", "measured_boot_images_upload", no_kwargs),
    "web:boot_image_delete": ("GET", "measured_boot_images_delete", _account_object),
    "web:plan": ("GET", "plans_addons", _plan),
})

URLS.update({
    "web:billing": ("GET", "orders_list", no_kwargs),
    "web:deposit": ("POST", "balance_deposit", no_kwargs),
    "web:invoices_download": ("POST", "invoices_download_many", no_kwargs),
    "web:invoice_download": ("GET", "invoices_download", _account_object),
    "web:order": ("GET", "orders_get", _account_object),
    "web:order_update": ("POST", "orders_update", _account_object),
    "web:order_renewal_period": ("POST", "orders_change_renewal_period", _account_object),
    "web:order_pay": ("GET", "orders_pay", _account_object),
    "web:order_delete": ("GET", "orders_delete", _account_object),
})

# Areas with their own rows (tests/web/matrix_<area>.py), next to their URL modules. Imported last:
# they use the builders above.
from tests.web import matrix_account, matrix_deploy, matrix_network, matrix_support  # noqa: E402

for _area in (matrix_account, matrix_deploy, matrix_network, matrix_support):
    URLS.update(_area.URLS)


# --- bulk actions and schedules (panel/bulk, panel/schedules; behaviour: tests/bulk, tests/schedules) ---
def _batch(team: Team) -> dict[str, Any]:
    """An ended batch of `team` (a parent operation) with one failed server."""
    from panel.bulk.models import BatchItem
    from panel.operations.models import Operation

    op = Operation.objects.create(
        team=team, kind="bulk_servers_restart", state="failed", target_type="batch",
        target_label="1 server", params={"action": "servers_restart", "count": 1},
    )  # fmt: skip
    target = f"{MATRIX_ACCOUNT}:2864"
    BatchItem.objects.create(parent=op, position=0, target=target, request="{}", state="failed")
    return {"pk": op.pk}


def _schedule(team: Team) -> dict[str, Any]:
    from django.utils import timezone

    from panel.schedules.models import Schedule

    schedule = Schedule.objects.create(
        team=team, name="matrix", action="servers_restart", target_kind="server",
        target_value=f"{MATRIX_ACCOUNT}:2864", interval_minutes=60, anchor=timezone.now(),
    )  # fmt: skip
    return {"pk": schedule.pk}


URLS.update({
    "bulk:new": ("GET", "bulk.run", no_kwargs),
    "bulk:detail": ("GET", "operations.view", _batch),
    "bulk:retry": ("POST", "bulk.run", _batch),
    "schedules:list": ("GET", "schedules.view", no_kwargs),
    "schedules:new": ("GET", "schedules.manage", no_kwargs),
    "schedules:detail": ("GET", "schedules.view", _schedule),
    "schedules:pause": ("POST", "schedules.manage", _schedule),
    "schedules:resume": ("POST", "schedules.manage", _schedule),
    "schedules:delete": ("POST", "schedules.manage", _schedule),
})


# --- guardrails (panel/guardrails/urls.py; behaviour: tests/guardrails/) ---
def _approval_request(team: Team) -> dict[str, Any]:
    """A request of another member, held for approval by any role that may decide."""
    from datetime import timedelta

    from django.utils import timezone

    from panel.guardrails.models import ApprovalRequest
    from tests.factories import MembershipFactory

    requester = MembershipFactory(team=team, role="admin")
    held = ApprovalRequest.objects.create(
        team=team, requester=requester, requester_user=requester.user, requester_name="matrix", requests=[],
        summary="Reinstall of matrix", risk="destructive", why="matrix rule",
        approver_roles=["owner", "admin", "operator", "billing"],
        expires_at=timezone.now() + timedelta(hours=1),
    )
    return {"pk": held.pk}


def _guardrail(model_name: str) -> KwargsBuilder:
    def build(team: Team) -> dict[str, Any]:
        from panel.guardrails import models

        fields: dict[str, Any] = {
            "ApprovalRule": {"risk": "destructive", "approver_roles": ["owner"]},
            "Budget": {"monthly_limit": 100},
            "Freeze": {"name": "matrix", "kind": "weekly", "weekdays": [0], "start_time": "01:00",
                       "end_time": "02:00"},
        }[model_name]
        return {"pk": getattr(models, model_name).objects.create(team=team, **fields).pk}

    build.__name__ = f"_{model_name.lower()}"
    return build


def _elevation(team: Team) -> dict[str, Any]:
    from panel.guardrails.models import Elevation
    from tests.factories import MembershipFactory

    asking = MembershipFactory(team=team, role="operator")
    return {"pk": Elevation.objects.create(team=team, membership=asking, role="admin", minutes=60,
                                           reason="matrix").pk}


URLS.update({
    "guardrails:index": ("GET", "guardrails.view", no_kwargs),
    "guardrails:approval": ("GET", "guardrails.view", _approval_request),
    "guardrails:approval_decide": ("POST", "approvals.decide", _approval_request),
    "guardrails:approval_withdraw": ("POST", "guardrails.view", _approval_request),
    "guardrails:rules": ("POST", "guardrails.manage", no_kwargs),
    "guardrails:rule_toggle": ("POST", "guardrails.manage", _guardrail("ApprovalRule")),
    "guardrails:rule_delete": ("POST", "guardrails.manage", _guardrail("ApprovalRule")),
    "guardrails:budgets": ("POST", "guardrails.manage", no_kwargs),
    "guardrails:budget_delete": ("POST", "guardrails.manage", _guardrail("Budget")),
    "guardrails:freezes": ("POST", "guardrails.manage", no_kwargs),
    "guardrails:freeze_toggle": ("POST", "guardrails.manage", _guardrail("Freeze")),
    "guardrails:freeze_delete": ("POST", "guardrails.manage", _guardrail("Freeze")),
    "guardrails:freeze_break": ("POST", "freezes.break_glass", _guardrail("Freeze")),
    "guardrails:elevations": ("POST", "elevations.request", no_kwargs),
    "guardrails:elevation_decide": ("POST", "elevations.grant", _elevation),
    "guardrails:elevation_end": ("POST", "guardrails.view", _elevation),
})
