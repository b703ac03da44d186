"""Buy floating IPs: purchase once, pay the order when it awaits payment, wait until active."""

from __future__ import annotations

from typing import Any

from panel.actions.inputs import validate
from panel.actions.network import FLOATING_IP_PURCHASE, FloatingIpPurchaseInput
from panel.core.errors import InvalidInput
from panel.services import network
from panel.services.context import parse_server_ref

from ..models import StepMark
from ..runner import DONE, WAIT, Context, Step, StepFailed
from .common import account_of, fresh_floating_ips, pay_step, recent_order
from .registry import Kind, Prepared

ORDER_TYPE = "new-floating-ip"


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    """The action's input type (`FloatingIpPurchaseInput`) checks the counts, period and server."""
    fields = FloatingIpPurchaseInput.model_fields
    data = validate(
        FloatingIpPurchaseInput, {k: v for k, v in params.items() if k in fields}, FLOATING_IP_PURCHASE.label
    )
    server = parse_server_ref(data.server) if data.server else None
    account = account_of(actor, {"account": server.account_id if server else params.get("account")})
    if server is not None and params.get("account") and params["account"] != server.account_id:
        raise InvalidInput(
            "The server belongs to another VPSBG account.", fields={"server": "Another account."}
        )
    return Prepared(
        account_id=account,
        target_type="server" if server else "account",
        target_id=str(server) if server else account,
        target_label=f"server {server.id}" if server else account,
        params={
            "ipv4": data.ipv4,
            "ipv4_ddos": data.ipv4_ddos,
            "ipv6": data.ipv6,
            "billing_cycle": data.billing_cycle,
            "server": str(server) if server else None,
        },
        locks=[f"server:{server}"] if server else [],
    )


def _purchase(ctx: Context) -> str:
    account = ctx.op.account_id

    def verify() -> bool:
        mark = StepMark.objects.filter(operation=ctx.op, step="purchase").first()
        since = mark.at.replace(microsecond=0) if mark else None
        return since is not None and recent_order(ctx, account, ORDER_TYPE, since) is not None

    result = ctx.once(
        "purchase",
        lambda: network.floating_ips_purchase(
            actor=ctx.actor,
            billing_cycle=ctx.params["billing_cycle"],
            ipv4=ctx.params.get("ipv4") or None,
            ipv4_ddos=ctx.params.get("ipv4_ddos") or None,
            ipv6=ctx.params.get("ipv6") or None,
            server=ctx.params.get("server"),
            account=None if ctx.params.get("server") else account,
        ),
        verify,
    )
    if result is not None:
        ctx.data["floating_ips"] = [f.id for f in result if getattr(f, "id", None) is not None]
        ctx.log(f"VPSBG created floating IPs {', '.join(map(str, ctx.data['floating_ips']))}.")
    mark = StepMark.objects.get(operation=ctx.op, step="purchase")
    order_id = recent_order(ctx, account, ORDER_TYPE, mark.at.replace(microsecond=0))
    if order_id is not None:
        ctx.data["orders"] = [f"{account}:{order_id}"]
    return DONE


def _active(ctx: Context) -> str:
    wanted = ctx.data.get("floating_ips") or []
    if not wanted:
        return DONE
    found = fresh_floating_ips(ctx, ctx.op.account_id)
    for fid in wanted:
        fip = found.get(fid)
        if fip is None:
            raise StepFailed(f"Floating IP {fid} is not listed by VPSBG.")
        if fip.status == "pending" or fip.locked:
            return WAIT
        if fip.status != "active":
            raise StepFailed(f"Floating IP {fid} is {fip.status}.")
    return DONE


KIND = Kind(
    name="floating_ip_purchase",
    label="Buy floating IPs",
    action="floating_ips_purchase",
    steps=(
        Step("purchase", "Ordering the floating IPs", _purchase, progress=30, point_of_no_return=True),
        pay_step(progress=60),
        Step("wait", "Activating the floating IPs", _active, progress=95),
    ),
    prepare=prepare,
)
