"""The dashboard: what needs a team member's eye across all the team's VPSBG accounts.

Servers by state, balances, orders awaiting payment, running operations, recent audit events and
tokens needing attention. Each upstream part fails on its own: an account that does not answer is
a warning beside the others, never an error page. A part whose accounts did not all answer says
so instead of claiming "0 servers" or "nothing to pay"; each warning is shown once, though the
servers, balances and orders of a silent account all fail with the same message.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from panel.accounts.decorators import team_permission_required
from panel.accounts.permissions import can
from panel.audit.models import AuditEvent
from panel.core.errors import PanelError
from panel.services import aggregates, billing, payments, upstream
from panel.services.registry import reaches
from panel.vault.models import ApiToken, TokenStatus

from ..common import actor_for
from ..server_state import power_state

RECENT_EVENTS = 10
RUNNING_STATES = ("queued", "running", "waiting")


def _orders_awaiting_payment(
    request: HttpRequest, accounts: dict[str, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Orders awaiting payment in every account (one list per account; failures become warnings)."""
    orders: list[dict[str, Any]] = []
    warnings: list[str] = []
    actor = actor_for(request)
    for account_id, label in accounts.items():
        try:
            page = billing.orders_list(
                actor=actor, status="awaiting_payment", per_page=50, account=account_id
            )
        except PanelError as exc:
            warnings.append(exc.message if exc.code == upstream.CODE else f"{label}: {exc.message}")
            continue
        orders.extend({"account_id": account_id, "account_label": label, "order": order} for order in page)
    orders.sort(key=lambda o: (o["order"].due_at is None, o["order"].due_at or 0))
    return orders, warnings


def _text(warning: aggregates.AccountWarning) -> str:
    return f"{warning.account_label}: {warning.message}" if warning.account_label else warning.message


def _running_operations(team: Any) -> list[Any]:
    """The team's unfinished long operations, when the operations app is installed."""
    if not apps.is_installed("panel.operations"):
        return []
    operation = apps.get_model("operations", "Operation")
    return list(operation.objects.filter(team=team, state__in=RUNNING_STATES).order_by("-created_at")[:10])


@reaches("servers_list", "balance_get", "orders_list")
@team_permission_required("team.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    team = membership.team
    actor = actor_for(request)
    context: dict[str, Any] = {}
    warnings: list[str] = []

    if can(membership, "servers_list"):
        servers = aggregates.servers_list_all(actor=actor)
        states = Counter(power_state(item.server)[0] for item in servers.items)
        context["server_count"] = len(servers.items)
        context["server_states"] = sorted(states.items())
        context["servers_incomplete"] = bool(servers.warnings)
        warnings += [_text(w) for w in servers.warnings]

    accounts = dict(
        ApiToken.objects.filter(team=team).exclude(account_id="").values_list("account_id", "account_label")
    )
    accounts = {account: label or account for account, label in accounts.items()}
    # A member limited to servers: no balance (`can` refuses), only the orders about their servers.
    if can(membership, "balance_get"):
        balances = aggregates.balances_all(actor=actor)
        context["balances"] = balances.items
        context["balances_incomplete"] = bool(balances.warnings)
        warnings += [_text(w) for w in balances.warnings]
    if can(membership, "orders_list"):
        orders, order_warnings = _orders_awaiting_payment(request, accounts)
        money = {b.account_id: b.balance.balance for b in context.get("balances", [])}
        for entry in orders:  # what each needs: a deposit is never paid from the balance
            entry["need"] = payments.payment_need(entry["order"], money.get(entry["account_id"]))
        context["orders"] = orders
        context["orders_incomplete"] = bool(order_warnings)
        warnings += order_warnings
    context["warnings"] = list(dict.fromkeys(warnings))  # once each, in the order they came

    context["operations"] = _running_operations(team)
    if can(membership, "audit.read"):
        context["events"] = list(AuditEvent.objects.filter(team=team).order_by("-seq")[:RECENT_EVENTS])
    context["tokens_attention"] = list(
        ApiToken.objects.filter(team=team).needing_attention().order_by("name")
    )
    context["has_tokens"] = bool(accounts) or ApiToken.objects.filter(team=team).exists()
    context["unchecked_tokens"] = ApiToken.objects.filter(team=team, status=TokenStatus.UNCHECKED).count()
    context["may_manage_tokens"] = can(membership, "tokens.manage")
    return render(request, "web/dashboard/index.html", context)
