"""Detach floating IPs from their server: ask once, wait until VPSBG unlocks them."""

from __future__ import annotations

from typing import Any

from panel.actions.inputs import validate
from panel.actions.network import FLOATING_IP_DETACH, IdsInput
from panel.services import network

from ..runner import DONE, WAIT, Context, Step, StepFailed
from .common import account_of, fresh_floating_ips
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    account = account_of(actor, params)
    ids = list(validate(IdsInput, {"ids": params.get("ids")}, FLOATING_IP_DETACH.label).ids)
    return Prepared(
        account_id=account,
        target_type="floating_ip",
        target_id=f"{account}:{ids[0]}" if len(ids) == 1 else account,
        target_label=f"floating IP {ids[0]}" if len(ids) == 1 else f"{len(ids)} floating IPs",
        params={"ids": ids, "account": account},
        locks=[f"floating_ip:{account}:{i}" for i in ids],
    )


def _detached(ctx: Context) -> bool:
    found = fresh_floating_ips(ctx, ctx.op.account_id)
    missing = [i for i in ctx.params["ids"] if i not in found]
    if missing:
        raise StepFailed(f"VPSBG does not list floating IP {missing[0]}.")
    return all(found[i].server_id is None for i in ctx.params["ids"])


def _detach(ctx: Context) -> str:
    ctx.once(
        "detach",
        lambda: network.floating_ips_detach(
            actor=ctx.actor, ids=ctx.params["ids"], account=ctx.op.account_id
        ),
        lambda: _detached(ctx),
    )
    return DONE


def _wait(ctx: Context) -> str:
    found = fresh_floating_ips(ctx, ctx.op.account_id)
    if any(found.get(i) is not None and found[i].locked for i in ctx.params["ids"]):
        return WAIT
    return DONE if _detached(ctx) else WAIT


KIND = Kind(
    name="floating_ip_detach",
    label="Detach floating IPs",
    action="floating_ips_detach",
    steps=(
        Step("detach", "Asking VPSBG to detach", _detach, progress=30, point_of_no_return=True),
        Step("wait", "Detaching (waiting for VPSBG)", _wait, progress=95),
    ),
    prepare=prepare,
)
