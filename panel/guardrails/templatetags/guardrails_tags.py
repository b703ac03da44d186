"""`{% budget_box account %}`: the team's budgets that apply to a VPSBG account, used and left this
month, where costs are shown (the billing page, the cost of a server action)."""

from __future__ import annotations

from typing import Any

from django import template

from panel.guardrails.spend import budget_states

register = template.Library()


@register.inclusion_tag("guardrails/_budget_box.html", takes_context=True)
def budget_box(context: template.Context, account: str = "", ref: str = "") -> dict[str, Any]:
    request = context.get("request")
    team = getattr(request, "team", None)
    if team is None:
        return {"states": []}
    account = account or str(ref).rpartition(":")[0]
    states = [s for s in budget_states(team) if not s.budget.account_id or s.budget.account_id == account]
    return {"states": states}
