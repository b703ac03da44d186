"""Servers: plans, listing, deploy, power, reinstall/restore, rescue, scale, renew, metrics."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime
from typing import Any

from ..context import Ctx, Reply, csv_filter, handles, paginate, sort_direction
from ..domain import (
    TAX_RATE,
    add_months,
    create_order,
    ensure_unlocked,
    ensure_writable,
    is_running,
    main_ip,
    render_order,
    render_plan,
    render_server,
    server_ips,
    settle_server,
    start_action,
    unit,
)
from ..encoding import splice_data
from ..errors import ApiError, invalid, not_found
from ..state import money
from ..validation import raise_validation
from .common import get_server, int_list, own_ids, promo_for

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}"
    r"[A-Za-z0-9_])?)*$"
)
SERVER_STATUSES = ("active", "processing", "suspended", "terminated")


def check_hostname(value: Any, field: str = "hostname") -> str:
    if not isinstance(value, str) or not HOSTNAME.match(value):
        raise invalid(field, f"The {field} field must be a valid hostname (letters, digits, dashes, dots).")
    return value


# ---- catalogue -------------------------------------------------------------------------
@handles("servers_list_plans")
def servers_list_plans(ctx: Ctx) -> Any:
    plans = ctx.state.catalog["plans"]
    kind = ctx.q("filter[type]")
    if kind:
        plans = [p for p in plans if p["type"] == kind]
    return paginate(ctx, plans, render_plan)


@handles("plans_addons")
def plans_addons(ctx: Ctx) -> Any:
    plan_id = ctx.path_int("id", "plan")
    if ctx.state.plan_by_id(plan_id) is None:
        raise not_found("plan")
    return {"data": [dict(a) for a in ctx.state.catalog["addon_prices"]]}


@handles("plans_promo_codes")
def plans_promo_codes(ctx: Ctx) -> Any:
    plan_id = ctx.path_int("id", "plan")
    if ctx.state.plan_by_id(plan_id) is None:
        raise not_found("plan")
    return [dict(p) for p in ctx.state.catalog["promo_codes"]]


# ---- reading ---------------------------------------------------------------------------
@handles("servers_list")
def servers_list(ctx: Ctx) -> Any:
    statuses = csv_filter(ctx, "filter[status]", "active,suspended", SERVER_STATUSES)
    ip = (ctx.q("filter[ip]") or "").strip()
    search = (ctx.q("filter[search]") or "").strip().lower()
    by_created = sort_direction(ctx, "sort[created_at]")
    by_expiry = sort_direction(ctx, "sort[expiry_at]")
    ips = ctx.state.coll("ips")
    result = []
    for server in ctx.state.owned("servers", ctx.account_name):
        settle_server(ctx.state, server, ctx.now)
        if statuses is not None and server["status"] not in statuses:
            continue
        if ip or search:
            addresses = [ips[str(i)]["ip_address"] for i in server["_ip_ids"] if str(i) in ips]
            if ip and ip not in addresses:
                continue
            if (
                search
                and search not in server["hostname"].lower()
                and not any(search in a for a in addresses)
            ):
                continue
        result.append(server)
    result.sort(key=lambda s: -s["id"])
    if by_expiry:
        result.sort(key=lambda s: s["expiry_at"], reverse=by_expiry == "desc")
    if by_created:
        result.sort(key=lambda s: s["created_at"], reverse=by_created == "desc")
    cache = ctx.sim.render_cache
    if cache is None:
        return paginate(ctx, result, lambda s: render_server(ctx.state, s, ctx.now))
    body = paginate(ctx, result)
    return Reply(200, splice_data(body, [cache.server(ctx.state, s, ctx.now) for s in body["data"]]))


@handles("servers_get")
def servers_get(ctx: Ctx) -> Any:
    return render_server(ctx.state, get_server(ctx), ctx.now)


@handles("servers_status")
def servers_status(ctx: Ctx) -> Any:
    server = get_server(ctx)
    plan = server["plan"]
    noise = unit(server["id"], int(ctx.now // 300))
    running = is_running(server)
    cpu = round(1 + noise * 15) if running else 0
    resolvers = ["9.9.9.9", "208.67.222.222"]
    return {
        "running": running,
        "suspended": server["status"] == "suspended",
        "network_suspended": server["status"] == "suspended",
        "rescue_mode": bool(server.get("_rescue")),
        "dns_resolvers": resolvers,
        "cpu": {"used": cpu, "free": 100 - cpu},
        "disk": {"used": round(plan["disk"] * 0.08 + noise, 4), "limit": plan["disk"]},
        "bandwidth": {"used": round(_bandwidth_used(server, ctx.now), 2), "limit": plan["bandwidth"] * 1000},
    }


def _day_usage(server_id: int, day_start: int) -> tuple[float, float]:
    noise = unit(server_id, day_start)
    return round(0.5 + noise * 2.5, 6), round(0.0005 + noise * 0.002, 6)


def _month_start(ts: float) -> int:
    d = datetime.fromtimestamp(ts, UTC)
    return calendar.timegm((d.year, d.month, 1, 0, 0, 0))


def _bandwidth_used(server: dict[str, Any], now: float) -> float:
    start = _month_start(now)
    total = 0.0
    for day in range(start, int(now), 86400):
        i, o = _day_usage(server["id"], day)
        total += i + o
    return total


@handles("servers_bandwidth")
def servers_bandwidth(ctx: Ctx) -> Any:
    """Daily usage, deterministic per server and day, for [filter[start], filter[end]] (unix seconds)."""
    server = get_server(ctx)
    start = ctx.q_int("filter[start]", _month_start(ctx.now), 0)
    end = ctx.q_int("filter[end]", int(ctx.now), 0)
    assert start is not None and end is not None
    if end < start:
        raise invalid("filter[end]", "The filter[end] must be after filter[start].")
    if end - start > 366 * 86400:
        raise invalid("filter[start]", "The range may not exceed one year.")
    first_day = start - start % 86400
    days = []
    for day in range(first_day, min(end, int(ctx.now)) + 1, 86400):
        incoming, outgoing = _day_usage(server["id"], day)
        days.append({"timestamp": day, "incoming": incoming, "outgoing": outgoing})
    used = round(sum(d["incoming"] + d["outgoing"] for d in days), 2)
    return {"limit": server["plan"]["bandwidth"] * 1000, "used": used, "daily_usage": days}


@handles("servers_metrics")
def servers_metrics(ctx: Ctx) -> Any:
    """Hourly samples for one month (default: this month), deterministic per server and hour."""
    server = get_server(ctx)
    today = datetime.fromtimestamp(ctx.now, UTC)
    month = ctx.q_int("filter[month]", today.month, 1, 12)
    year = ctx.q_int("filter[year]", today.year, 2000, 2100)
    assert month is not None and year is not None
    start = calendar.timegm((year, month, 1, 0, 0, 0))
    days = calendar.monthrange(year, month)[1]
    end = min(start + days * 86400, int(ctx.now))
    created = datetime.fromisoformat(server["created_at"].replace("Z", "+00:00")).timestamp()
    disk = round(server["plan"]["disk"] * 0.08, 4)
    data = []
    for ts in range(max(start, int(created) - int(created) % 3600), end, 3600):
        noise = unit(server["id"], ts)
        data.append(
            {
                "timestamp": ts,
                "running": True,
                "cpu": round(0.5 + noise * 12, 1),
                "network_in": round(noise * 0.01, 9),
                "network_out": round(noise * 0.0002, 9),
                "disk": disk,
                "io_read": int(noise * 3),
                "io_write": round(noise * 0.02, 9),
            }
        )
    data.reverse()
    return {"data": data}


# ---- deploy ----------------------------------------------------------------------------
ADDON_LABELS = {
    "backups": "Automatic backups",
    "cpanel-admin-5": "cPanel & WHM license - up to 5 accounts",
    "cpanel-pro-30": "cPanel & WHM license - up to 30 accounts",
    "cpanel-plus-50": "cPanel & WHM license - up to 50 accounts",
    "cpanel-premier-100": "cPanel & WHM license - up to 100 accounts",
    "100mbps-unmetered": "100 Mbps unmetered bandwidth",
    "1gbps-unmetered": "1 Gbps unmetered bandwidth",
    "windows-server-license": "Windows Server license",
    "microsoft-rds-sal": "Microsoft RDS SAL",
    "microsoft-office-sal": "Microsoft Office SAL",
}


def addon_price(ctx: Ctx, key: str) -> float:
    from ..catalog import addon_price as price

    return price(ctx.state.catalog, key)


def requested_addons(
    ctx: Ctx, body: dict[str, Any], plan: dict[str, Any], image: dict[str, Any] | None
) -> list:
    addons = []
    if body.get("backups"):
        addons.append(
            {"name": "backups", "quantity": plan.get("disk", 50), "amount": addon_price(ctx, "backups")}
        )
    for field in ("cpanel", "bandwidth"):
        if body.get(field):
            addons.append({"name": body[field], "quantity": 1, "amount": addon_price(ctx, body[field])})
    for field, key in (
        ("microsoft_rds_sal", "microsoft-rds-sal"),
        ("microsoft_office_sal", "microsoft-office-sal"),
    ):
        count = body.get(field) or 0
        if count < 0 or count > 100:
            raise invalid(field, f"The {field} field must be between 0 and 100.")
        if count:
            if not image or image["group"]["key"] != "windows":
                raise invalid(field, "Microsoft licences need a Windows image.")
            addons.append({"name": key, "quantity": count, "amount": addon_price(ctx, key) * count})
    if image and image["group"]["key"] == "windows":
        addons.append(
            {
                "name": "windows-server-license",
                "quantity": 1,
                "amount": addon_price(ctx, "windows-server-license"),
            }
        )
    return addons


@handles("servers_deploy")
def servers_deploy(ctx: Ctx) -> Any:
    body = ctx.body
    errors: dict[str, list[str]] = {}
    names = body["name"] if isinstance(body["name"], list) else [body["name"]]
    if not names or len(names) > 10:
        errors["name"] = ["Deploy between 1 and 10 servers at once."]
    for i, name in enumerate(names):
        if not isinstance(name, str) or not HOSTNAME.match(name):
            errors[f"name.{i}" if isinstance(body["name"], list) else "name"] = [
                "The name must be a valid hostname."
            ]
    plan = ctx.state.plan_by_name(body["plan"])
    if plan is None:
        errors["plan"] = ["The selected plan is invalid."]
    elif not plan["available"]:
        errors["plan"] = ["The selected plan is not available at the moment."]
    elif body["billing_cycle"] < plan["minimum_billing_cycle"]:
        errors["billing_cycle"] = [f"The billing cycle must be at least {plan['minimum_billing_cycle']}."]
    sources = [k for k in ("image_id", "snapshot_id", "backup_id") if body.get(k) is not None]
    image = None
    if not sources and body.get("primary_iso_id") is None:
        # The reference installs from an image, a snapshot, a backup or an ISO.
        errors["image_id"] = [
            "The image id field is required when none of snapshot id, backup id and primary iso id "
            "is present."
        ]
    elif not sources:
        pass  # installed from the ISO (validated with the other ISO fields below)
    elif len(sources) > 1:
        errors[sources[1]] = ["Choose one of image_id, snapshot_id and backup_id."]
    elif sources[0] == "image_id":
        image = ctx.state.image_by_id(body["image_id"])
        if image is None:
            errors["image_id"] = ["The selected image id is invalid."]
    else:
        coll = "snapshots" if sources[0] == "snapshot_id" else "backups"
        record = ctx.state.coll(coll).get(str(body[sources[0]]))
        if record is None or record["_account"] != ctx.account_name:
            errors[sources[0]] = [f"The selected {sources[0].replace('_', ' ')} is invalid."]
        else:
            origin = ctx.state.coll("servers").get(str(record["server_id"]))
            image = (
                ctx.state.image_by_id(origin["server_image"]["id"])
                if origin and origin.get("server_image")
                else None
            )
    keys = body.get("ssh_keys") or []
    for i, kid in enumerate(keys):
        key = ctx.state.coll("ssh_keys").get(str(kid))
        if key is None or key["_account"] != ctx.account_name:
            errors[f"ssh_keys.{i}"] = [f"The selected ssh_keys.{i} is invalid."]
    for field in ("primary_iso_id", "secondary_iso_id"):
        if body.get(field) is not None and not _iso_visible(ctx, body[field]):
            errors[field] = [f"The selected {field.replace('_', ' ')} is invalid."]
    if body.get("password") is not None and len(body["password"]) < 8:
        errors["password"] = ["The password field must be at least 8 characters."]
    for field in ("extra_ipv4", "extra_ipv4_ddos", "extra_ipv6"):
        if body.get(field) is not None and not 0 <= body[field] <= 8:
            errors[field] = [f"The {field} field must be between 0 and 8."]
    if errors:
        raise_validation(errors)
    assert plan is not None
    cycle = body["billing_cycle"]
    promo = promo_for(ctx, body.get("promo_code"), cycle)
    discount = 1 - (promo["percentage"] / 100 if promo else 0)
    addons = requested_addons(ctx, body, plan, image)
    fip_plan = {p["name"]: p for p in ctx.state.catalog["floating_ip_plans"]}
    lines: list[dict[str, Any]] = []
    specs = []
    for name in names:
        lines.append(
            {
                "label": f"Cloud VPS {plan['memory']} GB - {name}",
                "sublabel": None,
                "period_from": int(ctx.now),
                "period_to": int(add_months(ctx.now, cycle)),
                "is_period_changeable": False,
                "service_id": None,
                "service_billing_cycle": cycle,
                "service_minimum_billing_cycle": plan["minimum_billing_cycle"],
                "service_type": "server",
                "amount": money(plan["price"] * cycle * discount),
                "amount_sublabel": "",
                "_hostname": name,
                "promo": {"code": promo["code"], "percentage": promo["percentage"]} if promo else None,
            }
        )
        for addon in addons:
            lines.append(
                {
                    "label": f"{ADDON_LABELS.get(addon['name'], addon['name'])} ({name})",
                    "sublabel": None,
                    "period_from": int(ctx.now),
                    "period_to": int(add_months(ctx.now, cycle)),
                    "is_period_changeable": False,
                    "service_id": None,
                    "service_billing_cycle": None,
                    "service_minimum_billing_cycle": None,
                    "service_type": "server-addon",
                    "amount": money(addon["amount"] * cycle),
                    "amount_sublabel": "",
                    "promo": None,
                }
            )
        for field, plan_name in (
            ("extra_ipv4", "floating-ipv4"),
            ("extra_ipv4_ddos", "floating-ipv4-ddos"),
            ("extra_ipv6", "floating-ipv6"),
        ):
            count = body.get(field) or 0
            if count:
                lines.append(
                    {
                        "label": f"Extra IP address(es) x{count} ({name})",
                        "sublabel": None,
                        "period_from": int(ctx.now),
                        "period_to": int(add_months(ctx.now, cycle)),
                        "is_period_changeable": False,
                        "service_id": None,
                        "service_billing_cycle": None,
                        "service_minimum_billing_cycle": None,
                        "service_type": "ip-address",
                        "amount": money(fip_plan[plan_name]["price"] * count * cycle),
                        "amount_sublabel": "",
                        "promo": None,
                    }
                )
        specs.append(
            {
                "hostname": name,
                "plan_id": plan["id"],
                "billing_cycle": cycle,
                "image_id": image["id"] if image else None,
                "ssh_keys": keys,
                "primary_iso_id": body.get("primary_iso_id"),
                "secondary_iso_id": body.get("secondary_iso_id"),
                "extra_ipv4": body.get("extra_ipv4") or 0,
                "extra_ipv4_ddos": body.get("extra_ipv4_ddos") or 0,
                "extra_ipv6": body.get("extra_ipv6") or 0,
                "addons": addons,
                "promo_code": promo["code"] if promo else None,
            }
        )
    order = create_order(
        ctx.state,
        ctx.account_name,
        kind="new-service",
        lines=lines,
        now=ctx.now,
        auto_pay=body.get("auto_pay", True) is not False,
        promo=promo,
        effects=[{"kind": "deploy", "servers": specs, "seconds": ctx.action_seconds}],
    )
    return Reply(201, render_order(ctx.state, order, ctx.now))


def _iso_visible(ctx: Ctx, iso_id: Any) -> bool:
    record = ctx.state.coll("isos").get(str(iso_id))
    if record is None:
        return False
    return bool(record.get("_public") or record.get("_account") == ctx.account_name)


# ---- power -----------------------------------------------------------------------------
def _power(ctx: Ctx, action: str, target: str, require: str | None) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    if require == "running" and server["_power"] != "running":
        raise ApiError(422, "The server is not running.")
    if require == "stopped" and server["_power"] == "running":
        raise ApiError(422, "The server is already running.")
    start_action(ctx.state, server, action, ctx.now, ctx.sim.power_seconds, set_after={"_power": target})
    return None


@handles("servers_start")
def servers_start(ctx: Ctx) -> Any:
    return _power(ctx, "start", "running", "stopped")


@handles("servers_stop")
def servers_stop(ctx: Ctx) -> Any:
    return _power(ctx, "stop", "stopped", "running")


@handles("servers_power_off")
def servers_power_off(ctx: Ctx) -> Any:
    return _power(ctx, "power-off", "stopped", "running")


@handles("servers_restart")
def servers_restart(ctx: Ctx) -> Any:
    return _power(ctx, "restart", "running", None)


# ---- lifecycle -------------------------------------------------------------------------
@handles("servers_cancel")
def servers_cancel(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_unlocked(ctx.state, server, ctx.now)
    if server["cancel_request"]:
        raise invalid("now", "A cancellation request already exists for this server.")
    from ..clock import iso

    reason = ctx.b("reason")
    if ctx.b("now", False):
        server["status"] = "terminated"
        server["_power"] = "stopped"
        for ip in server_ips(ctx.state, server):
            if ip.get("floating_ip_id"):
                fip = ctx.state.coll("floating_ips").get(str(ip["floating_ip_id"]))
                if fip:
                    fip["server_id"] = None
                ip["_server_id"] = None
        server["_ip_ids"] = [
            i for i in server["_ip_ids"] if not ctx.state.coll("ips")[str(i)].get("floating_ip_id")
        ]
    else:
        server["cancel_request"] = {
            "id": ctx.state.next_id("cancel_requests", 300),
            "type": 1,
            "reason": reason,
            "created_at": iso(ctx.now),
        }
    ctx.state.dirty = True
    return None


@handles("servers_undo_cancel")
def servers_undo_cancel(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_unlocked(ctx.state, server, ctx.now)
    if not server["cancel_request"]:
        raise invalid("id", "There is no cancellation request to undo.")
    server["cancel_request"] = None
    ctx.state.dirty = True
    return None


@handles("servers_change_password")
def servers_change_password(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    server["_password_set_at"] = ctx.now
    if ctx.b("reboot", False):
        start_action(
            ctx.state, server, "restart", ctx.now, ctx.sim.power_seconds, set_after={"_power": "running"}
        )
    ctx.state.dirty = True
    return None


@handles("servers_update_hostname")
def servers_update_hostname(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_unlocked(ctx.state, server, ctx.now)
    server["hostname"] = check_hostname(ctx.body["hostname"])
    ctx.state.dirty = True
    return render_server(ctx.state, server, ctx.now)


@handles("servers_update_ssh_keys")
def servers_update_ssh_keys(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    keys = int_list(ctx, "ssh_keys", required=False)
    own_ids(ctx, "ssh_keys", "ssh_keys", keys)
    server["_ssh_keys"] = keys
    ctx.state.dirty = True
    return render_server(ctx.state, server, ctx.now)


@handles("servers_modify_isos")
def servers_modify_isos(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    chosen = []
    for field in ("primary_iso_id", "secondary_iso_id"):
        value = ctx.b(field)
        if value is not None and not _iso_visible(ctx, value):
            raise invalid(field, f"The selected {field.replace('_', ' ')} is invalid.")
        chosen.append(value)
    server["_isos"] = chosen
    ctx.state.dirty = True
    return render_server(ctx.state, server, ctx.now)


@handles("servers_restore")
def servers_restore(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    snap, backup = ctx.b("snapshot_id"), ctx.b("backup_id")
    if (snap is None) == (backup is None):
        raise ApiError(
            422,
            "Send exactly one of snapshot_id and backup_id.",
            {"snapshot_id": ["The snapshot id field is required when backup id is not present."]},
        )
    field, coll = ("snapshot_id", "snapshots") if snap is not None else ("backup_id", "backups")
    record = ctx.state.coll(coll).get(str(snap if snap is not None else backup))
    if record is None or record["_account"] != ctx.account_name:
        raise invalid(field, f"The selected {field.replace('_', ' ')} is invalid.")
    start_action(ctx.state, server, "restore", ctx.now, ctx.action_seconds, set_after={"_power": "running"})
    return render_server(ctx.state, server, ctx.now)


@handles("servers_reinstall")
def servers_reinstall(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    image_id = ctx.b("image_id")
    if image_id is None:
        raise invalid("image_id", "The image id field is required.")
    image = ctx.state.image_by_id(image_id)
    if image is None:
        raise invalid("image_id", "The selected image id is invalid.")
    if image.get("eol"):
        raise invalid("image_id", "The selected image is end-of-life and cannot be installed.")
    password = ctx.b("password")
    if password is not None and len(password) < 8:
        raise invalid("password", "The password field must be at least 8 characters.")
    keys = int_list(ctx, "ssh_keys", required=False)
    own_ids(ctx, "ssh_keys", "ssh_keys", keys)
    target = {
        "server_image": {k: image[k] for k in ("id", "name", "eol", "group")},
        "_power": "running",
        "_ssh_keys": keys or server["_ssh_keys"],
    }
    start_action(ctx.state, server, "reinstall", ctx.now, ctx.action_seconds, set_after=target)
    return render_server(ctx.state, server, ctx.now)


@handles("servers_change_primary_ip")
def servers_change_primary_ip(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    ips = server_ips(ctx.state, server)
    target = next((ip for ip in ips if ip["id"] == ctx.body["ip_id"]), None)
    if target is None or target["version"] != 4:
        raise invalid("ip_id", "The selected ip id is not an IPv4 address of this server.")
    if target["main"]:
        raise invalid("ip_id", "This IP address is already the primary one.")
    for ip in ips:
        if ip["version"] == 4:
            ip["main"] = ip is target
    start_action(
        ctx.state, server, "restart", ctx.now, ctx.sim.power_seconds, set_after={"_power": "running"}
    )
    return render_server(ctx.state, server, ctx.now)


# ---- renew -----------------------------------------------------------------------------
def _renew_lines(ctx: Ctx) -> tuple[list[dict[str, Any]], dict[str, Any] | None, list[int], int]:
    ids = int_list(ctx, "server_ids")
    cycle = ctx.body["billing_cycle"]
    if cycle not in (1, 3, 6, 12, 24):
        raise invalid("billing_cycle", "The billing cycle must be one of 1, 3, 6, 12, 24.")
    promo = promo_for(ctx, ctx.b("promo_code"), cycle)
    servers = own_ids(ctx, "servers", "server_ids", ids)
    lines = []
    from ..clock import parse_iso

    for server in servers:
        if server["status"] == "terminated":
            raise invalid("server_ids", f"Server {server['id']} is terminated.")
        plan = server["plan"]
        start = max(parse_iso(server["expiry_at"]), ctx.now)
        ip = main_ip(ctx.state, server)
        lines.append(
            {
                "label": f"Renewal: Cloud VPS {plan['memory']} GB - {server['hostname']} [{ip}]",
                "sublabel": ip,
                "period_from": int(start),
                "period_to": int(add_months(start, cycle)),
                "is_period_changeable": True,
                "service_id": server["id"],
                "service_billing_cycle": cycle,
                "service_minimum_billing_cycle": plan.get("minimum_billing_cycle", 1),
                "service_type": "server",
                "amount": money(plan["price"] * cycle),
                "amount_sublabel": "",
                "promo": None,
            }
        )
        for addon in server["addons"]:
            if addon["status"] == "active":
                lines.append(
                    {
                        "label": addon["name"],
                        "sublabel": None,
                        "period_from": int(start),
                        "period_to": int(add_months(start, cycle)),
                        "is_period_changeable": False,
                        "service_id": addon["id"],
                        "service_billing_cycle": None,
                        "service_minimum_billing_cycle": None,
                        "service_type": "server-addon",
                        "amount": money(addon["amount"] * cycle),
                        "amount_sublabel": "",
                        "promo": None,
                    }
                )
    return lines, promo, ids, cycle


@handles("servers_calculate_renew")
def servers_calculate_renew(ctx: Ctx) -> Any:
    lines, promo, _, _ = _renew_lines(ctx)
    amount = money(sum(line["amount"] for line in lines))
    server_amount = sum(line["amount"] for line in lines if line["service_type"] == "server")
    discount = money(server_amount * (promo["percentage"] / 100) if promo else 0)
    out: dict[str, Any] = {
        "amount": amount,
        "amount_with_vat": money(amount * TAX_RATE),
        "discount": round(discount),
        "discount_with_vat": round(discount * TAX_RATE),
        "due_today_amount": money(amount - discount),
        "due_today_amount_with_vat": money((amount - discount) * TAX_RATE),
        "promo_amount": discount,
        "promo_amount_with_vat": money(discount * TAX_RATE),
    }
    if promo:
        out["promo_code"] = promo
    return out


@handles("servers_renew")
def servers_renew(ctx: Ctx) -> Any:
    lines, promo, ids, cycle = _renew_lines(ctx)
    if promo:
        for line in lines:
            if line["service_type"] == "server":
                line["amount"] = money(line["amount"] * (1 - promo["percentage"] / 100))
                line["promo"] = {"code": promo["code"], "percentage": promo["percentage"]}
    order = create_order(
        ctx.state,
        ctx.account_name,
        kind="renew-service",
        lines=lines,
        now=ctx.now,
        promo=promo,
        effects=[{"kind": "renew", "server_ids": ids, "billing_cycle": cycle}],
    )
    return render_order(ctx.state, order, ctx.now)


# ---- scale -----------------------------------------------------------------------------
def _scale_targets(ctx: Ctx, server: dict[str, Any]) -> list[dict[str, Any]]:
    current = server["plan"]
    return [
        p
        for p in ctx.state.catalog["plans"]
        if p["type"] == current.get("type")
        and p["id"] != current["id"]
        and p["available"]
        and p["memory"] >= current["memory"]
    ]


@handles("servers_scale_list_plans")
def servers_scale_list_plans(ctx: Ctx) -> Any:
    server = get_server(ctx)
    return {"data": [render_plan(p) for p in _scale_targets(ctx, server)]}


def _scale_quote(ctx: Ctx) -> tuple[dict[str, Any], dict[str, Any], float]:
    server = get_server(ctx)
    ensure_unlocked(ctx.state, server, ctx.now)  # a busy server is neither scaled nor quoted (423)
    target = next((p for p in _scale_targets(ctx, server) if p["name"] == ctx.body["plan"]), None)
    if target is None:
        raise invalid("plan", "The selected plan is not available for scaling this server.")
    if not ctx.body["scale_disk"] and target["disk"] < server["plan"]["disk"]:
        raise invalid("plan", "The selected plan has a smaller disk.")
    from ..clock import parse_iso

    months_left = max((parse_iso(server["expiry_at"]) - ctx.now) / (30 * 86400), 0)
    amount = money(max(target["price"] - server["plan"]["price"], 0) * months_left)
    return server, target, amount


@handles("servers_scale_calculate")
def servers_scale_calculate(ctx: Ctx) -> Any:
    _, _, amount = _scale_quote(ctx)
    return {
        "amount": amount,
        "amount_with_vat": money(amount * TAX_RATE),
        "estimated_downtime": "extended" if ctx.body["scale_disk"] else "short",
    }


@handles("servers_scale")
def servers_scale(ctx: Ctx) -> Any:
    server, target, amount = _scale_quote(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    line = {
        "label": f"Scale: {server['plan']['name']} -> {target['name']} - {server['hostname']}",
        "sublabel": None,
        "period_from": int(ctx.now),
        "period_to": None,
        "is_period_changeable": False,
        "service_id": server["id"],
        "service_billing_cycle": None,
        "service_minimum_billing_cycle": None,
        "service_type": "server",
        "amount": amount,
        "amount_sublabel": "",
        "promo": None,
    }
    order = create_order(
        ctx.state,
        ctx.account_name,
        kind="scale-service",
        lines=[line],
        now=ctx.now,
        effects=[
            {
                "kind": "scale",
                "server_id": server["id"],
                "plan_id": target["id"],
                "scale_disk": ctx.body["scale_disk"],
                "seconds": ctx.action_seconds,
            }
        ],
    )
    return Reply(201, render_order(ctx.state, order, ctx.now))


# ---- rescue, snapshots, measured boot --------------------------------------------------
@handles("servers_rescue_enable")
def servers_rescue_enable(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    if server["_rescue"]:
        raise ApiError(422, "The server is already in rescue mode.")
    start_action(
        ctx.state,
        server,
        "rescue",
        ctx.now,
        ctx.action_seconds,
        set_after={"_rescue": True, "_power": "running"},
    )
    return Reply(202, {"message": "Rescue mode is being enabled."})


@handles("servers_rescue_disable")
def servers_rescue_disable(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    if not server["_rescue"]:
        raise ApiError(422, "The server is not in rescue mode.")
    start_action(
        ctx.state,
        server,
        "rescue",
        ctx.now,
        ctx.action_seconds,
        set_after={"_rescue": False, "_power": "running"},
    )
    return Reply(202, {"message": "Rescue mode is being disabled."})


@handles("servers_snapshots_create")
def servers_snapshots_create(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    if not server["settings"].get("snapshots_enabled"):
        raise ApiError(422, "Snapshots are disabled for this server.")
    existing = [s for s in ctx.state.owned("snapshots", ctx.account_name) if s["server_id"] == server["id"]]
    if len(existing) >= 5:
        raise ApiError(422, "A server may keep at most 5 snapshots; delete one first.")
    name = ctx.b("name") or f"snapshot-{server['hostname']}-{int(ctx.now)}"
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        raise invalid("name", "The name field must be between 1 and 100 characters.")
    record = {
        "id": ctx.state.next_id("snapshots", 200),
        "server_id": server["id"],
        "name": name,
        "size": server["plan"]["disk"],
        "_account": ctx.account_name,
    }
    start_action(
        ctx.state,
        server,
        "snapshot",
        ctx.now,
        ctx.action_seconds,
        effects=[{"kind": "snapshot", "record": record}],
    )
    return Reply(
        202,
        {
            "id": record["id"],
            "server_id": server["id"],
            "name": name,
            "size": record["size"],
            "created_at": None,
        },
    )


@handles("servers_set_measured_boot")
def servers_set_measured_boot(ctx: Ctx) -> Any:
    server = get_server(ctx)
    ensure_writable(ctx.state, server, ctx.now)
    if server["plan"].get("type") != "vds":
        raise invalid("kernel_image_id", "Measured boot is available on VDS plans only.")
    image_id = ctx.body["kernel_image_id"]
    if image_id is not None:
        record = ctx.state.coll("measured_boot_images").get(str(image_id))
        if record is None or record["_account"] != ctx.account_name:
            raise invalid("kernel_image_id", "The selected kernel image id is invalid.")
    start_action(
        ctx.state,
        server,
        "restart",
        ctx.now,
        ctx.sim.power_seconds,
        set_after={"_power": "running"},
        set_now={"_measured_boot": image_id},
    )
    return render_server(ctx.state, server, ctx.now)
