"""Attach floating IPs to a server (VPSBG reboots it): ask once, wait until attached and idle."""

from __future__ import annotations

from typing import Any

from panel.actions.inputs import validate
from panel.actions.network import FLOATING_IP_ATTACH, IdsInput
from panel.services import network

from ..runner import DONE, WAIT, Context, Step
from .common import fresh_floating_ips, fresh_server, server_ready_step, server_ref, server_target
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    _, prepared = server_target(actor, params)
    ids = list(validate(IdsInput, {"ids": params.get("ids")}, FLOATING_IP_ATTACH.label).ids)
    prepared.params["ids"] = ids
    prepared.locks += [f"floating_ip:{prepared.account_id}:{i}" for i in ids]
    return prepared


def _attached(ctx: Context) -> bool:
    found = fresh_floating_ips(ctx, ctx.op.account_id)
    sid = server_ref(ctx).server_id
    return all(found.get(i) is not None and found[i].server_id == sid for i in ctx.params["ids"])


def _attach(ctx: Context) -> str:
    ctx.once(
        "attach",
        lambda: network.floating_ips_attach(actor=ctx.actor, ids=ctx.params["ids"], server=server_ref(ctx)),
        lambda: _attached(ctx),
    )
    return DONE


def _wait(ctx: Context) -> str:
    if fresh_server(ctx).locked:
        return WAIT
    found = fresh_floating_ips(ctx, ctx.op.account_id)
    if any(found.get(i) is not None and found[i].locked for i in ctx.params["ids"]):
        return WAIT
    return DONE if _attached(ctx) else WAIT


KIND = Kind(
    name="floating_ip_attach",
    label="Attach floating IPs",
    action="floating_ips_attach",
    steps=(
        server_ready_step(),
        Step("attach", "Asking VPSBG to attach", _attach, progress=30, point_of_no_return=True),
        Step("wait", "Rebooting (waiting for VPSBG)", _wait, progress=95),
    ),
    prepare=prepare,
)
