"""Renew one or more servers of one account: order, payment when needed, wait until paid."""

from __future__ import annotations

from typing import Any

from panel.actions.server_billing import RenewInput
from panel.services import servers
from panel.services.context import parse_server_ref

from ..runner import DONE, WAIT, Context, Step, StepFailed
from .common import account_of, action_input, fresh_order, order_step, pay_step
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    data = action_input(RenewInput, params, "Renew", besides=())
    refs = [parse_server_ref(s) for s in data.servers]  # of one account: the input type says so
    account = account_of(actor, {"account": refs[0].account_id})
    single = len(refs) == 1
    return Prepared(
        account_id=account,
        target_type="server" if single else "account",
        target_id=str(refs[0]) if single else account,
        target_label=f"server {refs[0].id}" if single else f"{len(refs)} servers",
        params=data.model_dump(),
        locks=[f"server:{r}" for r in refs],
    )


def _paid(ctx: Context) -> str:
    for ref in ctx.data.get("orders", []):
        status = fresh_order(ctx, ref).status
        if status == "processing":
            return WAIT
        if status != "paid":
            raise StepFailed(f"Order {ref.rpartition(':')[2]} is {status}.")
    return DONE


KIND = Kind(
    name="renew",
    label="Renew",
    action="servers_renew",
    steps=(
        order_step(
            "order",
            "Ordering the renewal",
            "renew-service",
            lambda ctx: servers.servers_renew(
                actor=ctx.actor,
                servers=ctx.params["servers"],
                billing_cycle=ctx.params["billing_cycle"],
                promo_code=ctx.params.get("promo_code"),
                account=ctx.op.account_id,
            ),
            progress=30,
        ),
        pay_step(progress=70),
        Step("confirm", "Confirming the renewal", _paid, progress=95),
    ),
    prepare=prepare,
)
