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

from panel.core.errors import InvalidInput
from panel.services import servers
from panel.services.context import ServerRef

from ..runner import DONE, WAIT, Context, Step, StepFailed
from .common import (
    account_of,
    fresh_order,
    fresh_server,
    int_list,
    order_step,
    password,
    pay_step,
    positive_int,
    text,
)
from .registry import Kind, Prepared

OPTIONAL_INTS = (
    "snapshot_id", "backup_id", "primary_iso_id", "secondary_iso_id",
    "extra_ipv4", "extra_ipv4_ddos", "extra_ipv6", "microsoft_rds_sal", "microsoft_office_sal",
)  # fmt: skip
# Addons named by a key (the reference's enums for `cpanel` and `bandwidth` of servers_deploy).
CPANEL = ("cpanel-admin-5", "cpanel-pro-30", "cpanel-plus-50", "cpanel-premier-100")
BANDWIDTH = ("100mbps-unmetered", "1gbps-unmetered")
SOURCES = ("image_id", "snapshot_id", "backup_id", "primary_iso_id")


def _one_of(params: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    if value not in allowed:
        raise InvalidInput(f"Unknown {name} addon.", fields={name: f"One of: {', '.join(allowed)}."})
    return str(value)


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    account = account_of(actor, params)
    names = params.get("name")
    names = [names] if isinstance(names, str) else list(names or [])
    if not names or len(names) > 10 or not all(isinstance(n, str) and n.strip() for n in names):
        raise InvalidInput("Name one to ten servers.", fields={"name": "One to ten host names."})
    if len({n.strip().lower() for n in names}) < len(names):
        raise InvalidInput("Each server needs its own name.", fields={"name": "The names repeat."})
    values: dict[str, Any] = {
        "name": [n.strip() for n in names] if len(names) > 1 else names[0].strip(),
        "plan": text(params, "plan", max_length=100),
        "billing_cycle": positive_int(params, "billing_cycle"),
        "image_id": positive_int(params, "image_id", required=False),
        "ssh_keys": int_list(params, "ssh_keys", required=False),
        "backups": bool(params.get("backups")) or None,
    }
    for name in OPTIONAL_INTS:
        values[name] = positive_int(params, name, required=False)
    values["cpanel"] = _one_of(params, "cpanel", CPANEL)
    values["bandwidth"] = _one_of(params, "bandwidth", BANDWIDTH)
    values["promo_code"] = text(params, "promo_code", required=False, max_length=64) or None
    if not any(values[k] for k in SOURCES):
        raise InvalidInput(
            "Choose an image, a snapshot, a backup or an ISO.", fields={"image_id": "Required."}
        )
    if values["secondary_iso_id"] and values["secondary_iso_id"] == values["primary_iso_id"]:
        raise InvalidInput(
            "The secondary ISO must differ from the primary one.",
            fields={"secondary_iso_id": "Choose another ISO than the primary one."},
        )
    label = f"new server {names[0].strip()}" if len(names) == 1 else f"{len(names)} new servers"
    return Prepared(
        account_id=account,
        target_type="account",
        target_id=account,
        target_label=label,
        params={**values, "account": account},
        secret=password(params, required=False),
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
