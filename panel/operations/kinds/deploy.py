"""Deploy new servers: order once, pay when the balance did not cover it, wait until active.

The parameters follow `servers_deploy` in the reference: the source is an image, a snapshot, a
backup or an ISO (`primary_iso_id`, with an optional `secondary_iso_id` mounted too); one order
may name one to ten servers (`name` is then a list), each getting every choice; addons (backups,
cPanel, unmetered bandwidth, extra IPs, Microsoft SALs) and a promo code ride on the same order.
The new servers' references end up in `data["servers"]`, so pages can link to them once the
operation ends.
"""

from __future__ import annotations

from typing import Any

from panel.actions.deploy import DeployInput
from panel.services import servers
from panel.services.context import ServerRef

from ..runner import DONE, WAIT, Context, Step, StepFailed
from .common import account_of, action_input, fresh_order, fresh_server, order_step, pay_step
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    """The action's own input type checks the order (`panel.actions.deploy`): one rule everywhere."""
    data = action_input(DeployInput, params, "Deploy servers", besides=())
    account = account_of(actor, {"account": data.account})
    values = data.model_dump(exclude={"account", "password"})
    names = values["name"]
    values["name"] = names[0] if len(names) == 1 else names
    values["backups"] = values["backups"] or None
    label = f"new server {names[0]}" if len(names) == 1 else f"{len(names)} new servers"
    return Prepared(
        account_id=account,
        target_type="account",
        target_id=account,
        target_label=label,
        params={**values, "account": account},
        secret={"password": data.password} if data.password else {},
    )


def _order(ctx: Context) -> Any:
    p = ctx.params
    return servers.servers_deploy(
        actor=ctx.actor,
        name=p["name"],
        plan=p["plan"],
        billing_cycle=p["billing_cycle"],
        image_id=p.get("image_id"),
        snapshot_id=p.get("snapshot_id"),
        backup_id=p.get("backup_id"),
        password=ctx.secret().get("password"),
        ssh_keys=p.get("ssh_keys") or None,
        backups=p.get("backups"),
        extra_ipv4=p.get("extra_ipv4"),
        extra_ipv4_ddos=p.get("extra_ipv4_ddos"),
        extra_ipv6=p.get("extra_ipv6"),
        primary_iso_id=p.get("primary_iso_id"),
        secondary_iso_id=p.get("secondary_iso_id"),
        cpanel=p.get("cpanel"),
        bandwidth=p.get("bandwidth"),
        microsoft_rds_sal=p.get("microsoft_rds_sal"),
        microsoft_office_sal=p.get("microsoft_office_sal"),
        promo_code=p.get("promo_code"),
        account=ctx.op.account_id,
    )


def _servers_of_order(ctx: Context) -> str:
    ids: list[int] = []
    for ref in ctx.data.get("orders", []):
        order = fresh_order(ctx, ref)
        if order.status == "processing" or order.status == "awaiting_payment":
            return WAIT
        if order.status != "paid":
            raise StepFailed(f"Order {order.id} is {order.status}.")
        lines = [s for s in order.services or [] if s.service_type == "server"]
        if any(s.service_id is None for s in lines):
            return WAIT
        ids += [s.service_id for s in lines if s.service_id is not None]
    if not ids:
        raise StepFailed("VPSBG's order names no new server.")
    ctx.data["servers"] = [f"{ctx.op.account_id}:{i}" for i in ids]
    ctx.log(f"VPSBG is setting up server(s) {', '.join(map(str, ids))}.")
    return DONE


def _active(ctx: Context) -> str:
    names: dict[str, str] = {}
    for ref in ctx.data.get("servers", []):
        account, _, sid = ref.rpartition(":")
        server = fresh_server(ctx, ServerRef(account, sid))
        if server.locked or server.status == "processing":
            return WAIT
        if server.status != "active":
            raise StepFailed(f"Server {sid} is {server.status} after the deploy.")
        names[ref] = server.hostname or ""
    ctx.data["server_names"] = names  # so the pages can link each new server by its name
    return DONE


KIND = Kind(
    name="deploy",
    label="Deploy server",
    action="servers_deploy",
    steps=(
        order_step("order", "Ordering the server", "new-service", _order, progress=15),
        pay_step(progress=35),
        Step("provision", "Waiting for VPSBG to create the server", _servers_of_order, progress=50),
        Step("wait", "Installing (waiting for VPSBG)", _active, progress=95),
    ),
    prepare=prepare,
)
