"""The guardrails as policies of the actions pipeline (`pipeline.POLICIES`), in this order:

1. `freeze_policy`: a change freeze in force refuses what it covers, naming the window (unless
   an owner broke the glass: then each request passing is audited loudly);
2. `budget_policy`: a paying request that passes a spend limit whose budget says "refuse";
3. `approval_policy`: the approval rules the batch matches, and the limits passed whose budget
   says "send to approval": the batch is stored as ONE approval request and `Pending` raised.

Each sees the whole batch (one request for a click, many for a bulk action or a schedule run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from panel.actions.base import Risk
from panel.actions.pipeline import Pending
from panel.actions.request import ActionRequest

from . import approvals, freezes
from .models import Budget, OnExceed, money
from .spend import account_of, committed, cost_of

__all__ = ["ALL", "approval_policy", "budget_policy", "freeze_policy", "limits_passed"]


def freeze_policy(requests: Sequence[ActionRequest]) -> str | None:
    return freezes.refusal(requests)


@dataclass(frozen=True)
class Passed:
    budget: Budget
    message: str


def limits_passed(requests: Sequence[ActionRequest]) -> list[Passed]:
    """Every spend limit the paying requests of the batch would pass (with why, in words)."""
    paying = [(r, c) for r in requests if r.action.risk is Risk.PAYING and (c := cost_of(r)) is not None]
    if not paying:
        return []
    team = requests[0].actor.team
    found: list[Passed] = []
    for budget in Budget.objects.filter(team=team):
        mine = [(r, c) for r, c in paying if not budget.account_id or account_of(r) == budget.account_id]
        if not mine:
            continue
        scope, unit = budget.scope_label, budget.currency
        asked = Decimal("0")
        for request, (amount, currency) in mine:
            what = f"{request.action.label} of {request.target} costs {money(amount, currency)}"
            if currency != unit:
                why = f"{what}, but the budget of {scope} is in {unit}: the panel cannot compare them."
                found.append(Passed(budget, why))
                continue
            asked += amount
            if budget.per_order_limit is not None and amount > budget.per_order_limit:
                limit = money(budget.per_order_limit, unit)
                found.append(Passed(budget, f"{what}, above the per-order limit of {scope} ({limit})."))
        if budget.monthly_limit is not None and asked:
            used = committed(team, unit, budget.account_id or None)
            if used + asked > budget.monthly_limit:
                left = max(budget.monthly_limit - used, Decimal("0"))
                why = (
                    f"This would pass the monthly budget of {scope}: {money(used, unit)} used of "
                    f"{money(budget.monthly_limit, unit)} ({money(left, unit)} left), "
                    f"and this asks {money(asked, unit)}."
                )
                found.append(Passed(budget, why))
    return found


def budget_policy(requests: Sequence[ActionRequest]) -> str | None:
    refused = [p.message for p in limits_passed(requests) if p.budget.on_exceed == OnExceed.REFUSE]
    return " ".join(refused) if refused else None


def approval_policy(requests: Sequence[ActionRequest]) -> None:
    holds = approvals.holds_for(requests)
    holds += [
        approvals.Hold(
            f"Spend limit: {p.message}",
            p.budget.approvals_required,
            tuple(p.budget.approver_roles or ["owner"]),
        )
        for p in limits_passed(requests)
        if p.budget.on_exceed == OnExceed.APPROVE
    ]
    if not holds:
        return None
    approval = approvals.hold(requests, holds)
    raise Pending(
        f"{approval.summary} needs approval ({approval.why.splitlines()[0]}). Approval request "
        f"#{approval.pk} waits for {approval.approvals_required} approval"
        f"{'s' if approval.approvals_required > 1 else ''} by {approval.approver_roles_text}; it expires "
        f"in {approvals.expiry_hours()} hours.",
        held=approval,
    )


ALL = (freeze_policy, budget_policy, approval_policy)
