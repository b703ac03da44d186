"""Billing actions: deposits, orders (pay, change, delete) and the support plan (buy, renew, cancel).

Each input type holds every rule about its input (bounds and choices from the VPSBG reference,
the panel's own limits where the reference states none); the pages' forms, the API's bodies and
the `pay_orders` operation are built from it. Paying actions say what they would spend (`cost`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from panel.services import billing
from panel.services.context import Actor, parse_ref

from .base import Action, Cost, Input, Mode, NoInput, Risk, Target
from .inputs import BILLING_CYCLE_LABELS, BillingCycle, Ids, PromoCode, VpsbgId
from .registry import register

__all__ = [
    "CHANGE_RENEWAL_PERIOD",
    "DEPOSIT",
    "ORDER_DELETE",
    "ORDER_UPDATE",
    "PAY_ORDERS",
    "PLAN_CANCEL",
    "PLAN_PURCHASE",
    "PLAN_RENEW",
    "PLAN_UNDO_CANCEL",
    "CurrencyAmount",
    "DepositInput",
    "OrderUpdateInput",
    "PayOrdersInput",
    "PlanCancelInput",
    "PlanPurchaseInput",
    "PlanRenewInput",
    "RenewalPeriodInput",
]

CURRENCY = "EUR"  # VPSBG bills in euros; its answers name no currency
DEPOSIT_MIN, DEPOSIT_MAX = 1, 100_000
PAYMENT_METHOD_LABELS: dict[str, Any] = {
    "balance": "Balance",
    "card": "Card",
    "bank": "Bank transfer",
    "bitcoin": "Bitcoin",
    "bitcoin-ln": "Bitcoin (Lightning)",
}
CurrencyAmount = Annotated[Decimal, Field(ge=DEPOSIT_MIN, le=DEPOSIT_MAX, decimal_places=2)]
# A deposit tops the balance up: it is never paid from the balance (`services.payments`).
DepositMethod = Literal["card", "bank", "bitcoin", "bitcoin-ln"]
PaymentMethod = Literal["balance", "card", "bank", "bitcoin", "bitcoin-ln"]


class DepositInput(Input):
    """Add funds to the account's balance."""

    amount: CurrencyAmount = Field(
        title="Amount", description=f"In euros, {DEPOSIT_MIN} to {DEPOSIT_MAX:,}, at most two decimals."
    )
    payment_method: DepositMethod = Field(
        title="Payment method", json_schema_extra={"labels": PAYMENT_METHOD_LABELS}
    )


class PayOrdersInput(Input):
    """Orders of one account, paid from its balance."""

    ids: Ids = Field(title="Orders", description="The orders' numbers (1 to 50).")
    payment_method: Literal["balance"] = Field(
        default="balance",
        title="Payment method",
        description="The panel pays from the balance; other methods are paid at VPSBG.",
        json_schema_extra={"labels": PAYMENT_METHOD_LABELS},
    )


class OrderUpdateInput(Input):
    auto_pay: bool | None = Field(default=None, title="Pay automatically from the balance")
    payment_method: PaymentMethod | None = Field(
        default=None, title="Payment method", json_schema_extra={"labels": PAYMENT_METHOD_LABELS}
    )
    promo_code: PromoCode = Field(default=None, title="Promo code")


class RenewalPeriodInput(Input):
    """One service of the order renews for another period from now on."""

    service_type: Annotated[str, Field(min_length=1, max_length=50)] = Field(
        title="Service type", description="As the order lists it: server, server-addon, floating-ip…"
    )
    service_id: VpsbgId = Field(title="Service")
    billing_cycle: BillingCycle = Field(
        title="Renewal period", json_schema_extra={"labels": BILLING_CYCLE_LABELS}
    )
    promo_code: PromoCode = Field(default=None, title="Promo code")


class PlanPurchaseInput(Input):
    plan: Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_-]+$")] = Field(
        title="Plan", description="The support plan's key, as the plans list gives it."
    )
    billing_cycle: BillingCycle = Field(
        title="Billing period", json_schema_extra={"labels": BILLING_CYCLE_LABELS}
    )


class PlanRenewInput(Input):
    billing_cycle: BillingCycle = Field(
        title="Billing period", json_schema_extra={"labels": BILLING_CYCLE_LABELS}
    )


class PlanCancelInput(Input):
    now: bool = Field(
        default=False,
        title="Cancel now",
        description="Now (no refund is promised) rather than at the end of the paid period.",
    )


# -- what they run -----------------------------------------------------------------------------------
def _deposit(actor: Actor, target: str, data: DepositInput, reason: str) -> Any:
    return billing.balance_deposit(
        actor=actor, amount=float(data.amount), payment_method=data.payment_method, account=target,
        reason=reason,
    )  # fmt: skip


def _deposit_cost(request: Any) -> Cost:
    return request.input.amount, CURRENCY


def _pay_params(target: str, data: PayOrdersInput) -> dict[str, Any]:
    return {"account": target, "ids": list(data.ids)}


def _pay_cost(request: Any) -> Cost | None:
    """What the orders still cost with VPSBG's tax (one read of each order); None if unknown."""
    total = Decimal(0)
    for ident in request.input.ids:
        order = billing.orders_get(actor=request.actor, order=f"{request.target}:{ident}")
        if order.status == "paid":
            continue
        if order.amount_with_vat is None:
            return None
        total += Decimal(str(order.amount_with_vat))
    return total, CURRENCY


def _order_update(actor: Actor, target: str, data: OrderUpdateInput, reason: str) -> Any:
    return billing.orders_update(actor=actor, order=target, reason=reason, **data.model_dump())


def _renewal_period(actor: Actor, target: str, data: RenewalPeriodInput, reason: str) -> Any:
    return billing.orders_change_renewal_period(actor=actor, order=target, reason=reason, **data.model_dump())


def _order_delete(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
    return billing.orders_delete(actor=actor, order=parse_ref(target, "order"), reason=reason)


def _plan_purchase(actor: Actor, target: str, data: PlanPurchaseInput, reason: str) -> Any:
    return billing.support_plans_purchase(
        actor=actor, plan=data.plan, billing_cycle=data.billing_cycle, account=target, reason=reason
    )


def _plan_renew(actor: Actor, target: str, data: PlanRenewInput, reason: str) -> Any:
    return billing.support_plans_renew(
        actor=actor, billing_cycle=data.billing_cycle, account=target, reason=reason
    )


def _plan_cost(request: Any) -> Cost | None:
    """The plan's monthly price with VAT times the period, from VPSBG's plan list (the plan
    chosen, or for a renewal the active one); None when the list states no price."""
    wanted = getattr(request.input, "plan", None)
    for item in billing.support_plans_list(actor=request.actor, account=request.target).items:
        if not isinstance(item, dict):
            continue
        key = item.get("key") or item.get("plan")
        chosen = key == wanted if wanted is not None else bool(item.get("active") or item.get("current"))
        if not chosen:
            continue
        monthly = item.get("price_with_vat", item.get("price"))
        try:
            return Decimal(str(monthly)) * request.input.billing_cycle, CURRENCY
        except ArithmeticError:
            return None
    return None


def _plan_cancel(actor: Actor, target: str, data: PlanCancelInput, reason: str) -> Any:
    # The reference's body carries a reason for VPSBG: the one kept in the audit log.
    return billing.support_plans_cancel(actor=actor, now=data.now, reason=reason or None, account=target)


def _plan_undo_cancel(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
    return billing.support_plans_undo_cancel(actor=actor, account=target, reason=reason)


DEPOSIT = Action(
    name="balance_deposit",
    label="Deposit funds",
    description="Add funds to the VPSBG account's balance (paid by card, bank transfer or bitcoin).",
    input=DepositInput,
    target=Target.ACCOUNT,
    risk=Risk.PAYING,
    mode=Mode.NOW,
    perform=_deposit,
    cost=_deposit_cost,
    done_message="Deposit order created; pay it at VPSBG.",
)
PAY_ORDERS = Action(
    name="orders_pay",
    label="Pay orders",
    description="Pay orders of one VPSBG account from its balance, each at most once.",
    input=PayOrdersInput,
    target=Target.ACCOUNT,
    risk=Risk.PAYING,
    mode=Mode.OPERATION,
    kind="pay_orders",
    params=_pay_params,
    cost=_pay_cost,
)
ORDER_UPDATE = Action(
    name="orders_update",
    label="Change order",
    description="Change how an order is paid, or apply a promo code.",
    input=OrderUpdateInput,
    target=Target.ACCOUNT,
    subject="order",
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_order_update,
    done_message="Order updated.",
)
CHANGE_RENEWAL_PERIOD = Action(
    name="orders_change_renewal_period",
    label="Change renewal period",
    description="Renew one service of the order for another period.",
    input=RenewalPeriodInput,
    target=Target.ACCOUNT,
    subject="order",
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_renewal_period,
    done_message="Renewal period changed.",
)
ORDER_DELETE = Action(
    name="orders_delete",
    label="Delete order",
    description="Delete an unpaid order.",
    input=NoInput,
    target=Target.ACCOUNT,
    subject="order",
    risk=Risk.DESTRUCTIVE,
    mode=Mode.NOW,
    perform=_order_delete,
    done_message="Order deleted.",
)
PLAN_PURCHASE = Action(
    name="support_plans_purchase",
    label="Buy support plan",
    description="Buy a VPSBG support plan for a billing period.",
    input=PlanPurchaseInput,
    target=Target.ACCOUNT,
    risk=Risk.PAYING,
    mode=Mode.NOW,
    perform=_plan_purchase,
    cost=_plan_cost,
    done_message="Support plan ordered.",
)
PLAN_RENEW = Action(
    name="support_plans_renew",
    label="Renew support plan",
    description="Renew the account's support plan for a billing period.",
    input=PlanRenewInput,
    target=Target.ACCOUNT,
    risk=Risk.PAYING,
    mode=Mode.NOW,
    perform=_plan_renew,
    cost=_plan_cost,
    done_message="Support plan renewal ordered.",
)
PLAN_CANCEL = Action(
    name="support_plans_cancel",
    label="Cancel support plan",
    description="Cancel the account's support plan, now or at the end of the paid period.",
    input=PlanCancelInput,
    target=Target.ACCOUNT,
    risk=Risk.DESTRUCTIVE,
    mode=Mode.NOW,
    perform=_plan_cancel,
    done_message="Support plan cancellation requested.",
)
PLAN_UNDO_CANCEL = Action(
    name="support_plans_undo_cancel",
    label="Keep support plan",
    description="Withdraw the support plan's cancellation.",
    input=NoInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_plan_undo_cancel,
    done_message="Cancellation withdrawn.",
)

register(
    DEPOSIT, PAY_ORDERS, ORDER_UPDATE, CHANGE_RENEWAL_PERIOD, ORDER_DELETE, PLAN_PURCHASE, PLAN_RENEW,
    PLAN_CANCEL, PLAN_UNDO_CANCEL,
)  # fmt: skip
