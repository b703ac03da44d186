"""Permission-matrix rows of the deploy area's web pages, merged into `tests/permission_matrix.py`.

Import the shared builders from `tests.permission_matrix` (it imports this module at its end).
"""

from __future__ import annotations

from typing import Any

from panel.accounts.models import Team
from tests.permission_matrix import KwargsBuilder, no_kwargs


def _deploy_operation(team: Team) -> dict[str, Any]:
    """A finished deploy of `team` (another team's member must get 404 for it)."""
    from panel.operations.models import Operation

    op = Operation.objects.create(
        team=team, kind="deploy", state="succeeded", target_type="account", target_id="acct@example",
        data={"servers": ["acct@example:2999"]},
    )  # fmt: skip
    return {"pk": op.pk}


URLS: dict[str, tuple[str, str | None, KwargsBuilder]] = {
    "web:deploy": ("GET", "servers_deploy", no_kwargs),
    "web:deploy_progress": ("GET", "operations.view", _deploy_operation),
}
