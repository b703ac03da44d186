"""What paying actions cost, what the panel committed this month, and the budgets' state.

A paying action's cost comes from its declaration (`Action.cost(request)` → `(amount, currency)`,
None when unknown). Committed spend is what the panel itself ran: one `Spend` row per paying
request it executed (recorded by `record_after_run`, a hook of the pipeline), this calendar month
(UTC), not counting an operation that failed or was cancelled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from panel.actions.base import Risk, Target
from panel.core.errors import PanelError
from panel.services.context import parse_server_ref

from .models import Budget, Spend, money

logger = logging.getLogger(__name__)

__all__ = ["BudgetState", "account_of", "budget_states", "committed", "cost_of", "record_after_run"]

ENDED_BADLY = ("failed", "cancelled")


def cost_of(request: Any) -> tuple[Decimal, str] | None:
    """The request's cost from its declaration; None when the action has no cost hook or it
    cannot say (a cost hook that fails is logged, never fatal: the request is then of unknown cost)."""
    hook = getattr(request.action, "cost", None)
    if hook is None:
        return None
    try:
        value = hook(request)
    except PanelError as exc:
        logger.info("guardrails.cost_unknown", extra={"action": request.action.name, "error": exc.message})
        return None
    if value is None:
        return None
    try:
        amount, currency = Decimal(str(value[0])), str(value[1]).upper()[:3]
    except (InvalidOperation, TypeError, IndexError, ValueError):
        logger.warning("guardrails.cost_malformed", extra={"action": request.action.name})
        return None
    return (amount, currency) if amount >= 0 and currency else None


def account_of(request: Any) -> str:
    """The VPSBG account a request spends from ('' when it names none)."""
    if request.action.target is Target.SERVER:
        return parse_server_ref(request.target).account_id
    if request.action.target is Target.ACCOUNT:
        return request.target
    return ""


def month_start(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def committed(team: Any, currency: str, account_id: str | None = None) -> Decimal:
    """Spend committed this month by the panel for `team` (one VPSBG account, or all)."""
    rows = Spend.objects.filter(team=team, currency=currency, created_at__gte=month_start())
    if account_id:
        rows = rows.filter(account_id=account_id)
    rows = rows.exclude(operation__state__in=ENDED_BADLY)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def record_after_run(request: Any, outcome: Any) -> None:
    """The pipeline ran a request: a paying one with a known cost is committed spend."""
    if request.action.risk is not Risk.PAYING:
        return
    cost = cost_of(request)
    if cost is None:
        return
    Spend.objects.create(
        team=request.actor.team,
        account_id=account_of(request),
        amount=cost[0],
        currency=cost[1],
        action_name=request.action.name,
        target=request.target[:255],
        operation=getattr(outcome, "operation", None),
    )


@dataclass(frozen=True)
class BudgetState:
    budget: Budget
    used: Decimal
    left: Decimal | None

    @property
    def used_text(self) -> str:
        return money(self.used, self.budget.currency)

    @property
    def left_text(self) -> str:
        return money(self.left, self.budget.currency) if self.left is not None else "no monthly limit"

    @property
    def percent(self) -> int:
        limit = self.budget.monthly_limit
        if not limit:
            return 0
        return min(100, int(self.used * 100 / limit))


def budget_states(team: Any, account_ids: list[str] | None = None) -> list[BudgetState]:
    """Each budget of the team (the team's, then the accounts'), with this month's use and what is left."""
    states = []
    for budget in Budget.objects.filter(team=team):
        if account_ids is not None and budget.account_id and budget.account_id not in account_ids:
            continue
        used = committed(team, budget.currency, budget.account_id or None)
        left = max(budget.monthly_limit - used, Decimal("0")) if budget.monthly_limit is not None else None
        states.append(BudgetState(budget, used, left))
    return states
