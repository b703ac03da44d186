"""Money: balance and deposits, invoices, orders and their payment, support plans.

One service per VPSBG operation, each a thin typed wrapper over `execution.execute` (authorize,
choose the token, call, map errors, audit). Object arguments are `"<account>:<id>"` references;
`account` picks the VPSBG account when the team has several (optional when it has one).

A member limited to chosen servers gets none of the account's money (the role table refuses them
the operations of `permissions.LIMITED_REFUSED`) and sees only the orders about their own servers
(`LIMITED_SCOPED_READS`): every line of the order is one of their servers or its addon. Another
order is missing for them, as a server outside their scope is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from panel.core.errors import NotFoundError
from vpsbg_api.areas import BalanceArea, InvoicesArea, OrdersArea, SupportPlansArea
from vpsbg_api.calls import call
from vpsbg_api.models import Balance, Invoice, Order, OrderListItem
from vpsbg_api.results import Download, Page

from .aggregates import run_together
from .context import Actor, ActorLike, Ref, as_actor, parse_ref
from .execution import execute, prepare
from .registry import service

__all__ = [
    "balance_deposit",
    "balance_get",
    "balance_transactions_list",
    "invoices_download",
    "invoices_download_many",
    "invoices_list",
    "orders_change_renewal_period",
    "orders_delete",
    "orders_get",
    "orders_list",
    "orders_pay",
    "orders_update",
    "support_plans_cancel",
    "support_plans_list",
    "support_plans_purchase",
    "support_plans_renew",
    "support_plans_undo_cancel",
]


@service("balance_get")
def balance_get(*, actor: ActorLike, account: str | None = None) -> Balance:
    """Balance.

    Read: `balance_get`, GET /balance.
    """
    return execute(call(BalanceArea.get), actor=actor, account=account)


@service("balance_deposit")
def balance_deposit(
    *,
    actor: ActorLike,
    amount: float | None = None,
    payment_method: str | None = None,
    account: str | None = None,
    reason: str = "",
) -> Order:
    """Deposit funds.

    Audited write: `balance_deposit`, POST /balance.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(
        call(BalanceArea.deposit, amount=amount, payment_method=payment_method),
        actor=actor,
        account=account,
        reason=reason,
    )


@service("balance_transactions_list")
def balance_transactions_list(
    *, actor: ActorLike, page: int | None = None, account: str | None = None
) -> Page[dict[str, Any]]:
    """List balance transactions.

    Read: `balance_transactions_list`, GET /balance/transactions.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(BalanceArea.transactions_list, page=page), actor=actor, account=account)


@service("invoices_list")
def invoices_list(*, actor: ActorLike, page: int | None = None, account: str | None = None) -> Page[Invoice]:
    """List invoices.

    Read: `invoices_list`, GET /invoices.
    """
    return execute(call(InvoicesArea.list, page=page), actor=actor, account=account)


@service("invoices_download")
def invoices_download(*, actor: ActorLike, invoice: Ref | str, reason: str = "") -> Download:
    """Download an invoice.

    Read: `invoices_download`, POST /invoices/{id}/download.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = parse_ref(invoice, "invoice")
    return execute(
        call(InvoicesArea.download, id=ref.int_id),
        actor=actor,
        target=ref,
        target_type="invoice",
        reason=reason,
    )


@service("invoices_download_many")
def invoices_download_many(
    *, actor: ActorLike, ids: Sequence[int] | None = None, account: str | None = None, reason: str = ""
) -> Download:
    """Download invoices.

    Read: `invoices_download_many`, POST /invoices/download.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(InvoicesArea.download_many, ids=ids), actor=actor, account=account, reason=reason)


@service("support_plans_purchase")
def support_plans_purchase(
    *, actor: ActorLike, billing_cycle: int, plan: str, account: str | None = None, reason: str = ""
) -> Order:
    """Purchase support plan.

    Audited write: `support_plans_purchase`, POST /support.
    """
    return execute(
        call(SupportPlansArea.purchase, billing_cycle=billing_cycle, plan=plan),
        actor=actor,
        account=account,
        reason=reason,
    )


@service("support_plans_list")
def support_plans_list(*, actor: ActorLike, account: str | None = None) -> Page[dict[str, Any]]:
    """List plans.

    Read: `support_plans_list`, GET /support/plans.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(SupportPlansArea.list), actor=actor, account=account)


@service("support_plans_renew")
def support_plans_renew(
    *, actor: ActorLike, billing_cycle: int | None = None, account: str | None = None, reason: str = ""
) -> Order:
    """Renew support plan.

    Audited write: `support_plans_renew`, POST /support/renew.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(
        call(SupportPlansArea.renew, billing_cycle=billing_cycle),
        actor=actor,
        account=account,
        reason=reason,
    )


@service("support_plans_cancel")
def support_plans_cancel(
    *, actor: ActorLike, reason: str | None = None, now: bool | None = None, account: str | None = None
) -> None:
    """Cancel support plan.

    Audited write: `support_plans_cancel`, POST /support/cancel.
    The route is inferred (`x-unverified` in the reference).
    """
    execute(
        call(SupportPlansArea.cancel, reason=reason, now=now),
        actor=actor,
        account=account,
        reason=reason or "",
    )


@service("support_plans_undo_cancel")
def support_plans_undo_cancel(*, actor: ActorLike, account: str | None = None, reason: str = "") -> None:
    """Undo cancel request.

    Audited write: `support_plans_undo_cancel`, DELETE /support/cancel.
    The route is inferred (`x-unverified` in the reference).
    """
    execute(call(SupportPlansArea.undo_cancel), actor=actor, account=account, reason=reason)


# Order lines about one server: the server itself, or an addon of it (its `service_id` is the server's).
SERVER_LINES = frozenset({"server", "server-addon"})


def _about_their_servers(who: Actor, account_id: str, order: Order) -> bool:
    lines = order.services or []
    return bool(lines) and all(
        line.service_type in SERVER_LINES
        and line.service_id is not None
        and who.may_see_server(account_id, line.service_id)
        for line in lines
    )


def _orders_in_scope(actor: ActorLike) -> Any:
    """Keep the orders a server-limited member may see (each one read, in parallel and cached:
    the list does not say which servers an order is about)."""

    def keep(result: Any, account_id: str) -> Any:
        who = as_actor(actor)
        if not who.is_server_limited or not isinstance(result, Page):
            return result
        theirs = any(str(s).rpartition(":")[0] == account_id for s in who.membership.server_scope)
        candidates = [o for o in result.items if theirs and o.type != "deposit"]
        calls = [
            prepare(
                call(OrdersArea.get, id=o.id),
                actor=who,
                target=Ref(account_id, str(o.id)),
                target_type="order",
            )
            for o in candidates
        ]
        shown = {
            order.id
            for order in run_together(calls)
            if isinstance(order, Order) and _about_their_servers(who, account_id, order)
        }
        return Page(items=[o for o in result.items if o.id in shown], meta=result.meta, links=result.links)

    return keep


@service("orders_list")
def orders_list(
    *,
    actor: ActorLike,
    page: int | None = None,
    per_page: int | None = None,
    status: str | None = None,
    account: str | None = None,
) -> Page[OrderListItem]:
    """List orders.

    Read: `orders_list`, GET /orders.
    """
    return execute(
        call(OrdersArea.list, page=page, per_page=per_page, status=status),
        actor=actor,
        account=account,
        postprocess=_orders_in_scope(actor),
    )


@service("orders_get")
def orders_get(*, actor: ActorLike, order: Ref | str) -> Order:
    """Get an order.

    Read: `orders_get`, GET /orders/{id}.
    """
    ref = parse_ref(order, "order")
    found = execute(call(OrdersArea.get, id=ref.int_id), actor=actor, target=ref, target_type="order")
    who = as_actor(actor)
    if who.is_server_limited and not _about_their_servers(who, ref.account_id, found):
        raise NotFoundError(f"No such order: {ref}.")
    return found


@service("orders_delete")
def orders_delete(*, actor: ActorLike, order: Ref | str, reason: str = "") -> Any:
    """Delete order.

    Audited write: `orders_delete`, DELETE /orders/{id}.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = parse_ref(order, "order")
    return execute(
        call(OrdersArea.delete, id=ref.int_id),
        actor=actor,
        target=ref,
        target_type="order",
        reason=reason,
    )


@service("orders_update")
def orders_update(
    *,
    actor: ActorLike,
    order: Ref | str,
    auto_pay: bool | None = None,
    payment_method: str | None = None,
    promo_code: str | None = None,
    reason: str = "",
) -> Any:
    """Update order.

    Audited write: `orders_update`, PATCH /orders/{id}.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = parse_ref(order, "order")
    return execute(
        call(
            OrdersArea.update,
            id=ref.int_id,
            auto_pay=auto_pay,
            payment_method=payment_method,
            promo_code=promo_code,
        ),
        actor=actor,
        target=ref,
        target_type="order",
        reason=reason,
    )


@service("orders_change_renewal_period")
def orders_change_renewal_period(
    *,
    actor: ActorLike,
    order: Ref | str,
    service_type: str,
    service_id: int | str,
    billing_cycle: int,
    promo_code: str | None = None,
    reason: str = "",
) -> None:
    """Change renewal period.

    Audited write: `orders_change_renewal_period`, PATCH /orders/{id}/{service_type}/{service_id}.
    """
    ref = parse_ref(order, "order")
    execute(
        call(
            OrdersArea.change_renewal_period,
            id=ref.int_id,
            service_type=service_type,
            service_id=service_id,
            billing_cycle=billing_cycle,
            promo_code=promo_code,
        ),
        actor=actor,
        target=ref,
        target_type="order",
        reason=reason,
    )


@service("orders_pay")
def orders_pay(
    *,
    actor: ActorLike,
    ids: Sequence[int] | None = None,
    payment_method: Literal["balance", "card", "bank", "bitcoin", "bitcoin-ln"] | None = None,
    account: str | None = None,
    reason: str = "",
) -> Any:
    """Pay orders.

    Audited write: `orders_pay`, POST /orders/pay.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(
        call(OrdersArea.pay, ids=ids, payment_method=payment_method),
        actor=actor,
        account=account,
        reason=reason,
    )
