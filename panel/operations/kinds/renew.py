"""Renew one or more servers of one account: order, payment when needed, wait until paid."""

from __future__ import annotations

from typing import Any

from panel.core.errors import InvalidInput
from panel.services import servers
from panel.services.context import parse_server_ref

from ..runner import DONE, WAIT, Context, Step, StepFailed
from .common import account_of, fresh_order, order_step, pay_step, positive_int
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    raw = params.get("servers")
    if isinstance(raw, str):
        raw = [raw]
    if not raw or not isinstance(raw, list | tuple) or len(raw) > 50:
        raise InvalidInput("Choose one to 50 servers to renew.", fields={"servers": "Choose at least one."})
    refs = [parse_server_ref(s) for s in raw]
    accounts = {r.account_id for r in refs}
    if len(accounts) != 1:
        raise InvalidInput(
            "Renew servers of one VPSBG account at a time.", fields={"servers": "One account."}
        )
    account = account_of(actor, {"account": refs[0].account_id})
    cycle = positive_int(params, "billing_cycle")
    single = len(refs) == 1
    return Prepared(
        account_id=account,
        target_type="server" if single else "account",
        target_id=str(refs[0]) if single else account,
        target_label=f"server {refs[0].id}" if single else f"{len(refs)} servers",
        params={"servers": [str(r) for r in refs], "billing_cycle": cycle},
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
                account=ctx.op.account_id,
            ),
            progress=30,
        ),
        pay_step(progress=70),
        Step("confirm", "Confirming the renewal", _paid, progress=95),
    ),
    prepare=prepare,
)
