"""Permission-matrix rows of the support area's web pages, merged into `tests/permission_matrix.py`.

Import the shared builders from `tests.permission_matrix` (it imports this module at its end).
VPSBG is unreachable in the matrix: permitted roles get the pages' friendly upstream message.
"""

from __future__ import annotations

from typing import Any

from panel.accounts.models import Team
from tests.permission_matrix import KwargsBuilder, _account_object, _server_ref, no_kwargs


def _matrix_account(team: Team) -> dict[str, Any]:
    """No URL kwargs, but the team holds the matrix account (another team's member gets 404)."""
    _server_ref(team)
    return {}


def _plan(team: Team) -> dict[str, Any]:
    _server_ref(team)
    return {"plan": "professional"}


def _attachment(team: Team) -> dict[str, Any]:
    return {**_account_object(team), "attachment_id": 5}


URLS: dict[str, tuple[str, str | None, KwargsBuilder]] = {
    "web:support": ("GET", "support_tickets_list", no_kwargs),
    "web:ticket_create": ("GET", "support_tickets_create", _matrix_account),
    "web:ticket": ("GET", "support_tickets_get", _account_object),
    "web:ticket_reply": ("POST", "support_tickets_reply", _account_object),
    "web:ticket_resolve": ("GET", "support_tickets_resolve", _account_object),
    "web:ticket_attachment": ("GET", "support_tickets_attachment_download", _attachment),
    "web:support_plan_purchase": ("GET", "support_plans_purchase", _plan),
    "web:support_plan_renew": ("GET", "support_plans_renew", _matrix_account),
    "web:support_plan_cancel": ("GET", "support_plans_cancel", _matrix_account),
    "web:support_plan_undo_cancel": ("POST", "support_plans_undo_cancel", _matrix_account),
}
