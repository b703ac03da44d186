"""Pay one or several orders of one account from its balance, each at most once."""

from __future__ import annotations

from typing import Any

from panel.actions.billing import PAY_ORDERS, PayOrdersInput
from panel.actions.inputs import validate
from panel.core.errors import InvalidInput
from panel.services.context import parse_ref

from ..runner import DONE, WAIT, Context, Step, StepFailed
from .common import account_of, fresh_order, pay_step
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    """Orders as `account` + `ids` (the action's input, `PayOrdersInput`, checks them) or as
    references (`orders`: "<account>:<id>", all of one account)."""
    raw = params.get("orders")
    if raw is not None:
        raw = [raw] if isinstance(raw, str) else raw
        if not isinstance(raw, list | tuple):
            raise InvalidInput("Give the orders as a list.", fields={"orders": "A list of orders."})
        refs = sorted({parse_ref(r, "order") for r in raw})
        if len({r.account_id for r in refs}) > 1:
            raise InvalidInput(
                "Pay orders of one VPSBG account at a time.", fields={"orders": "One account."}
            )
        account = account_of(actor, {"account": refs[0].account_id if refs else params.get("account")})
        ids: Any = [int(r.id) for r in refs]
    else:
        account = account_of(actor, params)
        ids = params.get("ids")
    method = {"payment_method": params["payment_method"]} if "payment_method" in params else {}
    data = validate(PayOrdersInput, {"ids": ids, **method}, PAY_ORDERS.label)
    refs = sorted({parse_ref(f"{account}:{i}", "order") for i in data.ids})
    single = len(refs) == 1
    return Prepared(
        account_id=account,
        target_type="order" if single else "account",
        target_id=str(refs[0]) if single else account,
        target_label=f"order {refs[0].id}" if single else f"{len(refs)} orders",
        params={"orders": [str(r) for r in refs]},
        locks=[f"order:{r}" for r in refs],
    )


def _load(ctx: Context) -> str:
    ctx.data["orders"] = list(ctx.params["orders"])
    paid_before = []
    for ref in ctx.data["orders"]:
        status = fresh_order(ctx, ref).status
        if status not in ("awaiting_payment", "processing", "paid"):
            raise StepFailed(f"Order {ref.rpartition(':')[2]} is {status}; it cannot be paid.")
        if status == "paid":
            paid_before.append(ref.rpartition(":")[2])
    if paid_before:  # said at the end, so "Succeeded" never hides that nothing was paid for them
        ctx.log(f"Already paid before this operation: order {', '.join(paid_before)}; not paid again.")
        many = len(paid_before) > 1
        ctx.data["result_note"] = (
            f"Order{'s' if many else ''} {', '.join(paid_before)} {'were' if many else 'was'} already paid; "
            "nothing was charged for {}.".format("them" if many else "it")
        )
    return DONE


def _confirm(ctx: Context) -> str:
    for ref in ctx.data.get("orders", []):
        status = fresh_order(ctx, ref).status
        if status != "paid":
            return WAIT
    return DONE


KIND = Kind(
    name="pay_orders",
    label="Pay orders",
    action="orders_pay",
    steps=(
        Step("check", "Checking the orders", _load, progress=10),
        pay_step(progress=80),
        Step("confirm", "Confirming the payment", _confirm, progress=95),
    ),
    prepare=prepare,
)
