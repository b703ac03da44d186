"""Template helpers of the deploy area: whether the member may deploy (for the servers list's button).

The servers list view is another area's; this tag asks the permission table from the template, so
the "Deploy a server" button shows only to roles that may deploy (the view refuses the others).
"""

from __future__ import annotations

from typing import Any

from django import template

from ..common import allowed_actions

register = template.Library()


@register.simple_tag(takes_context=True)
def may_deploy(context: dict[str, Any]) -> bool:
    """`{% may_deploy as can_deploy %}`: True when the member's role may deploy servers (and the
    member is not limited to chosen servers: deploying is account-wide)."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if request is None or membership is None or membership.is_server_limited:
        return False
    return allowed_actions(request, "servers_deploy")["servers_deploy"]
