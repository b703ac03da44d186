"""The one permission table: complete, as the product describes the roles, and documented."""
from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.core.management import call_command

from panel.accounts.permissions import (
    PANEL_ACTIONS,
    ROLE_PERMISSIONS,
    ActionDenied,
    actions_for,
    can,
    is_staff_reviewer,
    require,
)
from panel.accounts.permissions_doc import render_permissions_doc
from panel.accounts.roles import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _spec_operation_ids() -> set[str]:
    locations = find_spec("vpsbg_api").submodule_search_locations
    spec = json.loads((Path(next(iter(locations))) / "openapi.json").read_text())
    return {op["operationId"] for methods in spec["paths"].values() for m, op in methods.items()
            if m in {"get", "post", "put", "patch", "delete"}}


def test_every_operation_of_the_reference_has_an_entry() -> None:
    ids = _spec_operation_ids()
    assert len(ids) == 115
    assert ids <= set(ROLE_PERMISSIONS)
    assert set(ROLE_PERMISSIONS) == ids | set(PANEL_ACTIONS)


def test_every_write_is_classified_on_purpose() -> None:
    """A new write in the reference must be placed in a role's set, not fall to the Owner-only default."""
    from panel.accounts.permissions import CLASSIFIED_WRITES, SAFE_POSTS, SECRET_READS, UPSTREAM_OPERATIONS

    unclassified = [o for o, op in UPSTREAM_OPERATIONS.items()
                    if op.method != "GET" and o not in CLASSIFIED_WRITES | SAFE_POSTS | set(SECRET_READS)]
    assert unclassified == []


def test_owner_may_do_everything() -> None:
    assert actions_for(Role.OWNER) == frozenset(ROLE_PERMISSIONS)


@pytest.mark.parametrize("op", ["servers_list", "servers_get", "servers_metrics", "invoices_list",
                                "balance_get", "orders_list", "network_protection_attacks_list"])
def test_viewer_reads(op: str) -> None:
    assert Role.VIEWER in ROLE_PERMISSIONS[op]


def test_viewer_never_reads_secrets_and_never_writes() -> None:
    assert Role.VIEWER not in ROLE_PERMISSIONS["user_2fa_get_secret"]
    assert Role.OPERATOR not in ROLE_PERMISSIONS["user_2fa_get_secret"]
    viewer = actions_for(Role.VIEWER)
    for op in ("servers_start", "servers_reinstall", "orders_pay", "members.manage", "tokens.manage"):
        assert op not in viewer


OPERATOR_EXAMPLES = ["servers_start", "servers_stop", "servers_restart", "servers_power_off",
                     "servers_rescue_enable", "servers_rescue_disable", "servers_modify_isos",
                     "servers_update_hostname", "servers_update_ssh_keys", "ssh_keys_create",
                     "ip_addresses_update", "support_tickets_create", "support_tickets_reply"]
ADMIN_EXAMPLES = ["servers_deploy", "servers_reinstall", "servers_restore", "servers_scale",
                  "servers_addons_purchase", "servers_change_password", "servers_change_primary_ip",
                  "servers_cancel", "snapshots_delete", "backups_delete", "floating_ips_purchase",
                  "floating_ips_attach", "network_protection_whitelist_set", "network_protection_geo_delete",
                  "members.manage", "tokens.manage", "audit.read"]
BILLING_EXAMPLES = ["balance_deposit", "invoices_download", "orders_pay", "orders_update", "servers_renew",
                    "orders_change_renewal_period", "support_plans_purchase", "support_plans_renew"]


@pytest.mark.parametrize("op", OPERATOR_EXAMPLES)
def test_operator_examples(op: str) -> None:
    assert {Role.OPERATOR, Role.ADMIN, Role.OWNER} <= ROLE_PERMISSIONS[op]
    assert Role.VIEWER not in ROLE_PERMISSIONS[op]


@pytest.mark.parametrize("op", ADMIN_EXAMPLES)
def test_admin_examples(op: str) -> None:
    assert {Role.ADMIN, Role.OWNER} <= ROLE_PERMISSIONS[op]
    assert Role.OPERATOR not in ROLE_PERMISSIONS[op] and Role.VIEWER not in ROLE_PERMISSIONS[op]


@pytest.mark.parametrize("op", BILLING_EXAMPLES)
def test_billing_examples(op: str) -> None:
    assert {Role.BILLING, Role.OWNER} <= ROLE_PERMISSIONS[op]
    assert Role.OPERATOR not in ROLE_PERMISSIONS[op] and Role.VIEWER not in ROLE_PERMISSIONS[op]


def test_billing_cannot_touch_servers() -> None:
    billing = actions_for(Role.BILLING)
    assert not {"servers_start", "servers_reinstall", "servers_deploy", "members.manage"} & billing


@pytest.mark.django_db
def test_require_explains_a_denial_in_words() -> None:
    viewer = MembershipFactory(role=Role.VIEWER, team=TeamFactory(name="Acme"))
    assert can(viewer, "servers_list") and not can(viewer, "servers_reinstall")
    with pytest.raises(ActionDenied) as denied:
        require(viewer, "servers_reinstall")
    message = str(denied.value)
    assert "Your role (Viewer)" in message and "Reinstall Server" in message and "Acme" in message
    assert "Owner, Admin" in message
    with pytest.raises(ActionDenied):
        require(None, "team.view")


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown action"):
        can(None, "servers_teleport")


@pytest.mark.django_db
def test_staff_review_every_team() -> None:
    assert is_staff_reviewer(UserFactory(is_staff=True))
    assert not is_staff_reviewer(UserFactory())
    assert not is_staff_reviewer(UserFactory(is_staff=True, is_active=False))


def test_committed_permissions_doc_is_current() -> None:
    path = ROOT / "docs" / "permissions.md"
    assert path.read_text(encoding="utf-8") == render_permissions_doc(), (
        "docs/permissions.md is stale: run `python manage.py permissions_doc`"
    )


def test_permissions_doc_command_writes_and_checks(tmp_path) -> None:
    target = tmp_path / "permissions.md"
    call_command("permissions_doc", output=str(target))
    assert "| `servers_reinstall` | POST |" in target.read_text(encoding="utf-8")
    call_command("permissions_doc", output=str(target), check=True)
    target.write_text("old", encoding="utf-8")
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="stale"):
        call_command("permissions_doc", output=str(target), check=True)
