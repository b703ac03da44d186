"""Server addons, floating IPs and IP addresses (reverse DNS)."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..catalog import CPANEL_KEYS
from ..clock import iso, parse_iso, plain
from ..context import Ctx, csv_filter, handles, paginate
from ..domain import (
    TAX_RATE,
    addon_line,
    create_order,
    ensure_unlocked,
    ensure_writable,
    render_ip,
    render_server,
    settle_server,
)
from ..errors import ApiError, invalid, not_found
from ..fulfil import allocate_ip
from ..state import money
from .common import get_server, int_list, own_ids
from .servers import HOSTNAME, addon_price, requested_addons

ADDON_KEYS = (
    "cpanel-admin-5",
    "cpanel-pro-30",
    "cpanel-premier-100",
    "cpanel-plus-50",
    "backups",
    "100mbps-unmetered",
    "1gbps-unmetered",
    "windows-server-license",
)


def _months_left(server: dict[str, Any], now: float) -> int:
    return max(round((parse_iso(server["expiry_at"]) - now) / (30 * 86400)), 1)


# ---- addons ----------------------------------------------------------------------------
@handles("servers_addons_list")
def servers_addons_list(ctx: Ctx) -> Any:
    """What can be added to this server, with the price until the server's expiry."""
    server = get_server(ctx, "server_id")
    months = _months_left(server, ctx.now)
    active = {a["name"] for a in server["addons"] if a["status"] == "active"}
    offers = []
    for key in ADDON_KEYS:
        if key in active:
            continue
        price = addon_price(ctx, key)
        offers.append(
            {
                "key": key,
                "price": price,
                "price_with_vat": money(price * TAX_RATE),
                "price_until_expiry": money(price * months),
                "price_until_expiry_with_vat": money(price * months * TAX_RATE),
            }
        )
    return {"data": offers}


@handles("servers_addons_purchase")
def servers_addons_purchase(ctx: Ctx) -> Any:
    server = get_server(ctx, "server_id")
    ensure_writable(ctx.state, server, ctx.now)
    image = ctx.state.image_by_id(server["server_image"]["id"]) if server.get("server_image") else None
    body = dict(ctx.body)
    active = {a["name"] for a in server["addons"] if a["status"] == "active"}
    if body.get("backups") and "backups" in active:
        raise invalid("backups", "Automatic backups are already active on this server.")
    if body.get("cpanel") and any(k in active for k in CPANEL_KEYS):
        raise invalid("cpanel", "A cPanel licence is already active; scale it instead.")
    if body.get("bandwidth") and body["bandwidth"] in active:
        raise invalid("bandwidth", "This bandwidth addon is already active.")
    # The Windows licence comes with the image, never as a purchase of its own.
    addons = [
        a for a in requested_addons(ctx, body, server["plan"], image) if a["name"] != "windows-server-license"
    ]
    if not addons:
        raise ApiError(422, "Choose at least one addon.", {"backups": ["Choose at least one addon."]})
    months = _months_left(server, ctx.now)
    lines = [addon_line(a["name"], a["name"], a["amount"], months, server, ctx.now, 1) for a in addons]
    create_order(
        ctx.state,
        ctx.account_name,
        kind="new-addon",
        lines=lines,
        now=ctx.now,
        effects=[{"kind": "addons", "server_id": server["id"], "addons": addons}],
    )
    return render_server(ctx.state, server, ctx.now)


def _scale_changes(ctx: Ctx, server: dict[str, Any]) -> tuple[list[dict[str, Any]], float]:
    body = ctx.body
    active = {a["name"]: a for a in server["addons"] if a["status"] == "active"}
    changes: list[dict[str, Any]] = []
    monthly_delta = 0.0
    if body.get("cpanel"):
        if body["cpanel"] not in CPANEL_KEYS:
            raise invalid("cpanel", "The selected cpanel is invalid.")
        current = next((a for k, a in active.items() if k in CPANEL_KEYS), None)
        if current is None:
            raise invalid("cpanel", "There is no cPanel licence to scale; purchase one first.")
        if current["name"] != body["cpanel"]:
            new_price = addon_price(ctx, body["cpanel"])
            monthly_delta += new_price - current["amount"]
            current_key = current["name"]
            changes.append(
                {"name": body["cpanel"], "quantity": 1, "amount": new_price, "replace_key": current_key}
            )
    for field, key in (
        ("microsoft_rds_sal", "microsoft-rds-sal"),
        ("microsoft_office_sal", "microsoft-office-sal"),
    ):
        if field in body and body[field] is not None:
            count = body[field]
            if not 0 <= count <= 100:
                raise invalid(field, f"The {field} field must be between 0 and 100.")
            current_count = active[key]["quantity"] if key in active else 0
            if count != current_count:
                price = addon_price(ctx, key)
                monthly_delta += (count - current_count) * price
                changes.append({"name": key, "quantity": count, "amount": price * count})
    if not changes:
        raise ApiError(422, "Nothing to change.", {"cpanel": ["Nothing to change."]})
    return changes, monthly_delta


@handles("servers_addons_scale_calculate")
def servers_addons_scale_calculate(ctx: Ctx) -> Any:
    server = get_server(ctx, "server_id")
    ensure_unlocked(ctx.state, server, ctx.now)
    _, delta = _scale_changes(ctx, server)
    amount = max(delta, 0) * _months_left(server, ctx.now)
    return {"amount": f"{amount:.2f}", "amount_with_vat": f"{amount * TAX_RATE:.2f}"}


@handles("servers_addons_scale")
def servers_addons_scale(ctx: Ctx) -> Any:
    server = get_server(ctx, "server_id")
    ensure_writable(ctx.state, server, ctx.now)
    changes, delta = _scale_changes(ctx, server)
    months = _months_left(server, ctx.now)
    for change in changes:
        old = change.pop("replace_key", None)
        if old:
            for addon in server["addons"]:
                if addon["name"] == old and addon["status"] == "active":
                    addon.update(status="cancelled", ended_at=plain(ctx.now))
    line = addon_line("scale", "Addon scale", max(delta, 0), months, server, ctx.now)
    order = create_order(
        ctx.state,
        ctx.account_name,
        kind="scale-addon",
        lines=[line],
        now=ctx.now,
        effects=[{"kind": "addons", "server_id": server["id"], "addons": changes}],
    )
    from ..domain import render_order

    return render_order(ctx.state, order, ctx.now)


def _addon(ctx: Ctx) -> tuple[dict[str, Any], dict[str, Any]]:
    server = get_server(ctx, "server_id")
    addon_id = ctx.path_int("server_addon_id", "server addon")
    addon = next((a for a in server["addons"] if a["id"] == addon_id), None)
    if addon is None:
        raise not_found("server addon")
    ensure_unlocked(ctx.state, server, ctx.now)
    return server, addon


@handles("servers_addons_cancel")
def servers_addons_cancel(ctx: Ctx) -> Any:
    server, addon = _addon(ctx)
    if addon["status"] != "active":
        raise invalid("now", f"The addon is {addon['status']} and cannot be cancelled.")
    if ctx.body["now"]:
        addon.update(status="cancelled", ended_at=plain(ctx.now))
    else:
        addon.update(status="pending-cancellation", ended_at=plain(parse_iso(server["expiry_at"])))
    ctx.state.dirty = True
    return None


@handles("servers_addons_undo_cancel")
def servers_addons_undo_cancel(ctx: Ctx) -> Any:
    _, addon = _addon(ctx)
    if addon["status"] != "pending-cancellation":
        raise invalid("server_addon_id", "Only a cancellation at expiry can be undone.")
    addon.update(status="active", ended_at=None)
    ctx.state.dirty = True
    return None


# ---- floating IPs ----------------------------------------------------------------------
def settle_fip(ctx: Ctx, fip: dict[str, Any]) -> None:
    if fip.get("locked") and fip.get("_until") and ctx.now >= fip["_until"]:
        fip.update(locked=False, locked_at=None, lock_reason=None, _until=None)


def render_fip(ctx: Ctx, fip: dict[str, Any]) -> dict[str, Any]:
    settle_fip(ctx, fip)
    ip = ctx.state.coll("ips")[str(fip["ip_id"])]
    server = ctx.state.coll("servers").get(str(fip["server_id"])) if fip["server_id"] else None
    from ..domain import main_ip

    plan = next(
        (p for p in ctx.state.catalog["floating_ip_plans"] if p["id"] == fip["plan_id"]), fip.get("plan")
    )
    return {
        "id": fip["id"],
        "status": fip["status"],
        "server_id": fip["server_id"],
        "server_hostname": server["hostname"] if server else None,
        "server_main_ip": main_ip(ctx.state, server) if server else None,
        "locked": bool(fip.get("locked")),
        "locked_at": fip.get("locked_at"),
        "lock_reason": fip.get("lock_reason"),
        "billing_cycle": fip["billing_cycle"],
        "expiry_at": fip["expiry_at"],
        "plan": dict(plan or {}),
        "ip_address": render_ip(ctx.state, ip),
        "cancel_request": fip.get("cancel_request"),
    }


@handles("floating_ips_plans")
def floating_ips_plans(ctx: Ctx) -> Any:
    return {"data": [dict(p) for p in ctx.state.catalog["floating_ip_plans"]]}


@handles("floating_ips_list")
def floating_ips_list(ctx: Ctx) -> Any:
    statuses = csv_filter(
        ctx, "filter[status]", "active,suspended", ("active", "suspended", "pending", "cancelled")
    )
    ip_filter = (ctx.q("filter[ip]") or "").strip()
    search = (ctx.q("filter[search]") or "").strip().lower()
    ddos_raw = ctx.q("filter[ddos]")
    ddos = None
    if ddos_raw not in (None, ""):
        if ddos_raw.lower() not in ("1", "0", "true", "false"):
            raise invalid("filter[ddos]", "The filter[ddos] field must be true or false.")
        ddos = ddos_raw.lower() in ("1", "true")
    items = []
    for fip in sorted(ctx.state.owned("floating_ips", ctx.account_name), key=lambda f: -f["id"]):
        ip = ctx.state.coll("ips")[str(fip["ip_id"])]
        if statuses is not None and fip["status"] not in statuses:
            continue
        if ip_filter and ip["ip_address"] != ip_filter:
            continue
        if ddos is not None and ip["ddos_protected"] != ddos:
            continue
        if search:
            server = ctx.state.coll("servers").get(str(fip["server_id"]))
            hay = [ip["ip_address"], server["hostname"] if server else ""]
            if not any(search in h.lower() for h in hay):
                continue
        items.append(fip)
    return paginate(ctx, items, lambda f: render_fip(ctx, f))


@handles("floating_ips_purchase")
def floating_ips_purchase(ctx: Ctx) -> Any:
    body = ctx.body
    cycle = body.get("billing_cycle") or 1
    if cycle not in (1, 3, 6, 12, 24):
        raise invalid("billing_cycle", "The billing cycle must be one of 1, 3, 6, 12, 24.")
    counts = {k: body.get(k) or 0 for k in ("ipv4", "ipv4_ddos", "ipv6")}
    for key, value in counts.items():
        if not 0 <= value <= 16:
            raise invalid(key, f"The {key} field must be between 0 and 16.")
    if not sum(counts.values()):
        raise ApiError(422, "Buy at least one IP address.", {"ipv4": ["Buy at least one IP address."]})
    server = None
    if body.get("server_id") is not None:
        server = ctx.state.coll("servers").get(str(body["server_id"]))
        if server is None or server["_account"] != ctx.account_name or server["status"] == "terminated":
            raise invalid("server_id", "The selected server id is invalid.")
        ensure_writable(ctx.state, server, ctx.now)
    plans = {p["name"]: p for p in ctx.state.catalog["floating_ip_plans"]}
    created, lines = [], []
    for key, plan_name, version, ddos in (
        ("ipv4", "floating-ipv4", 4, False),
        ("ipv4_ddos", "floating-ipv4-ddos", 4, True),
        ("ipv6", "floating-ipv6", 6, False),
    ):
        plan = plans[plan_name]
        for _ in range(counts[key]):
            fid = ctx.state.next_id("floating_ips", 700)
            ip = allocate_ip(
                ctx.state,
                ctx.account_name,
                ctx.now,
                version=version,
                ddos=ddos,
                floating_ip_id=fid,
                server_id=server["id"] if server else None,
            )
            fip = {
                "id": fid,
                "status": "pending",
                "server_id": server["id"] if server else None,
                "billing_cycle": cycle,
                "expiry_at": iso(ctx.now + cycle * 30 * 86400),
                "locked": False,
                "locked_at": None,
                "lock_reason": None,
                "plan_id": plan["id"],
                "ip_id": ip["id"],
                "cancel_request": None,
                "_account": ctx.account_name,
            }
            ctx.state.insert("floating_ips", fip)
            if server:
                server["_ip_ids"].append(ip["id"])
            created.append(fip)
        if counts[key]:
            lines.append(
                {
                    "label": f"Floating IP(s): {plan_name} x{counts[key]}",
                    "sublabel": None,
                    "period_from": int(ctx.now),
                    "period_to": int(ctx.now + cycle * 30 * 86400),
                    "is_period_changeable": False,
                    "service_id": None,
                    "service_billing_cycle": cycle,
                    "service_minimum_billing_cycle": 1,
                    "service_type": "floating-ip",
                    "amount": money(plan["price"] * cycle * counts[key]),
                    "amount_sublabel": "",
                    "promo": None,
                }
            )
    create_order(
        ctx.state,
        ctx.account_name,
        kind="new-floating-ip",
        lines=lines,
        now=ctx.now,
        effects=[{"kind": "floating_ips", "ids": [f["id"] for f in created]}],
    )
    return {"data": [render_fip(ctx, f) for f in created]}


def _fips(ctx: Ctx) -> list[dict[str, Any]]:
    fips = own_ids(ctx, "floating_ips", "ids", int_list(ctx, "ids"))
    for fip in fips:
        settle_fip(ctx, fip)
    return fips


def _lock_fip(ctx: Ctx, fip: dict[str, Any], reason: str) -> None:
    fip.update(
        locked=True, locked_at=iso(ctx.now), lock_reason=reason, _until=ctx.now + ctx.sim.power_seconds
    )


@handles("floating_ips_attach")
def floating_ips_attach(ctx: Ctx) -> Any:
    fips = _fips(ctx)
    server_id = ctx.b("server_id")
    if server_id is None:
        raise invalid("server_id", "The server id field is required.")
    server = ctx.state.coll("servers").get(str(server_id))
    if server is None or server["_account"] != ctx.account_name or server["status"] == "terminated":
        raise invalid("server_id", "The selected server id is invalid.")
    ensure_writable(ctx.state, server, ctx.now)
    for i, fip in enumerate(fips):
        if fip.get("locked"):
            raise ApiError(423, f"Floating IP {fip['id']} is locked at the moment.")
        if fip["status"] != "active":
            raise invalid(f"ids.{i}", f"Floating IP {fip['id']} is {fip['status']}.")
        if fip["server_id"] is not None:
            raise invalid(
                f"ids.{i}", f"Floating IP {fip['id']} is attached to server {fip['server_id']}; detach it."
            )
    for fip in fips:
        fip["server_id"] = server["id"]
        ctx.state.coll("ips")[str(fip["ip_id"])]["_server_id"] = server["id"]
        server["_ip_ids"].append(fip["ip_id"])
        _lock_fip(ctx, fip, "floating-ip-attach")
    from ..domain import start_action

    start_action(
        ctx.state, server, "restart", ctx.now, ctx.sim.power_seconds, set_after={"_power": "running"}
    )
    return {"data": [render_fip(ctx, f) for f in fips]}


@handles("floating_ips_detach")
def floating_ips_detach(ctx: Ctx) -> Any:
    fips = _fips(ctx)
    for i, fip in enumerate(fips):
        if fip.get("locked"):
            raise ApiError(423, f"Floating IP {fip['id']} is locked at the moment.")
        if fip["server_id"] is None:
            raise invalid(f"ids.{i}", f"Floating IP {fip['id']} is not attached.")
    for fip in fips:
        server = ctx.state.coll("servers").get(str(fip["server_id"]))
        if server:
            settle_server(ctx.state, server, ctx.now)
            if server.get("locked"):
                from ..errors import locked

                raise locked()
            server["_ip_ids"] = [i for i in server["_ip_ids"] if i != fip["ip_id"]]
        fip["server_id"] = None
        ctx.state.coll("ips")[str(fip["ip_id"])]["_server_id"] = None
        _lock_fip(ctx, fip, "floating-ip-detach")
    ctx.state.dirty = True
    return {"data": [render_fip(ctx, f) for f in fips]}


@handles("floating_ips_cancel")
def floating_ips_cancel(ctx: Ctx) -> Any:
    fips = _fips(ctx)
    for i, fip in enumerate(fips):
        if fip["status"] not in ("active", "suspended"):
            raise invalid(f"ids.{i}", f"Floating IP {fip['id']} is {fip['status']}.")
        if fip.get("cancel_request") and not ctx.body["now"]:
            raise invalid(f"ids.{i}", f"Floating IP {fip['id']} already has a cancellation request.")
    for fip in fips:
        if ctx.body["now"]:
            fip["status"] = "cancelled"
            if fip["server_id"]:
                server = ctx.state.coll("servers").get(str(fip["server_id"]))
                if server:
                    server["_ip_ids"] = [i for i in server["_ip_ids"] if i != fip["ip_id"]]
                fip["server_id"] = None
        fip["cancel_request"] = {
            "id": ctx.state.next_id("cancel_requests", 300),
            "type": 1,
            "reason": ctx.b("reason"),
            "created_at": iso(ctx.now),
        }
    ctx.state.dirty = True
    return {}


@handles("floating_ips_cancel_undo")
def floating_ips_cancel_undo(ctx: Ctx) -> Any:
    fips = _fips(ctx)
    for i, fip in enumerate(fips):
        if not fip.get("cancel_request") or fip["status"] == "cancelled":
            raise invalid(f"ids.{i}", f"Floating IP {fip['id']} has no cancellation to undo.")
    for fip in fips:
        fip["cancel_request"] = None
    ctx.state.dirty = True
    return {}


# ---- IP addresses ----------------------------------------------------------------------
@handles("ip_addresses_update")
def ip_addresses_update(ctx: Ctx) -> Any:
    ip = ctx.state.get_owned("ips", ctx.account_name, ctx.params["id"], "ip address")
    ptr = ctx.body["ptr"]
    if ip["version"] == 4:
        if not isinstance(ptr, str):
            raise invalid("ptr", "The ptr field must be a hostname for an IPv4 address.")
        names = {ip["ip_address"]: ptr}
    else:
        if not isinstance(ptr, dict) or not ptr:
            raise invalid("ptr", "The ptr field must map IPv6 addresses of this network to hostnames.")
        network = ipaddress.ip_network(f"{ip['ip_address']}/{ip['prefix']}", strict=False)
        names = {}
        for address, name in ptr.items():
            try:
                parsed = ipaddress.ip_address(address)
            except ValueError:
                raise invalid(f"ptr.{address}", "Not a valid IPv6 address.") from None
            if parsed not in network:
                raise invalid(f"ptr.{address}", f"The address is outside {network}.")
            names[str(parsed)] = name
    for name in names.values():
        if name != "" and not HOSTNAME.match(name):
            raise invalid("ptr", f"{name!r} is not a valid hostname.")
    current = dict(ip.get("_ptr") or {})
    for address, name in names.items():
        if name == "":
            current.pop(address, None)
        else:
            current[address] = name
    ip["_ptr"] = current
    server = ctx.state.coll("servers").get(str(ip.get("_server_id")))
    if server:
        settle_server(ctx.state, server, ctx.now)
    ctx.state.dirty = True
    return render_ip(ctx.state, ip)
