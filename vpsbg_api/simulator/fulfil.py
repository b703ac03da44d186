"""What happens when an order is paid: servers appear, renewals extend, addons attach."""

from __future__ import annotations

from typing import Any

from .clock import iso, plain
from .domain import add_months, settle_server
from .state import State, money

IMAGE_FIELDS = ("id", "name", "eol", "group")


def allocate_ip(
    state: State,
    account: str,
    now: float,
    *,
    version: int = 4,
    main: bool = False,
    ddos: bool = False,
    server_id: int | None = None,
    floating_ip_id: int | None = None,
) -> dict[str, Any]:
    ip_id = state.next_id("ips", 400)
    n = state.next_id(f"ipv{version}_host", 10)
    if version == 4:
        third = 52 + (n // 250) % 150
        address, prefix = f"87.121.{third}.{n % 250 + 2}", 32
        gateway, mask = f"87.121.{third}.1", "255.255.255.0"
    else:
        address, prefix = f"2a01:8740:1:{n:x}::", 64
        gateway, mask = "2a01:8740:1::1", "ffff:ffff:ffff:ffff::"
    ip = {
        "id": ip_id,
        "ip_address": address,
        "prefix": prefix,
        "version": version,
        "type": "public",
        "main": main,
        "ddos_protected": ddos,
        "floating_ip_id": floating_ip_id,
        "assigned_on": iso(now),
        "gateway": gateway,
        "mask": mask,
        "_ptr": {},
        "_account": account,
        "_server_id": server_id,
    }
    state.insert("ips", ip)
    if ddos:
        add_protection(state, ip, now)
    return ip


def add_protection(state: State, ip: dict[str, Any], now: float) -> dict[str, Any]:
    record = {
        "id": ip["id"],
        "_account": ip["_account"],
        "under_attack": False,
        "expiry_at": iso(add_months(now, 1)),
        "geo": {"active": False, "action": "allow", "countries": []},
        "whitelist": {"active": False, "networks": []},
        "blacklist": {"active": False, "networks": []},
        "attacks": [],
    }
    return state.insert("protections", record)


def create_server(
    state: State,
    account: str,
    *,
    hostname: str,
    plan: dict[str, Any],
    billing_cycle: int,
    now: float,
    seconds: float,
    image: dict[str, Any] | None,
    ssh_keys: list[int] | None = None,
    isos: tuple[int | None, int | None] = (None, None),
    extra_ipv4: int = 0,
    extra_ipv4_ddos: int = 0,
    extra_ipv6: int = 0,
    addons: list[dict[str, Any]] | None = None,
    promo_code: str | None = None,
    status: str = "processing",
    server_id: int | None = None,
) -> dict[str, Any]:
    """A new server; ``processing`` and locked for ``seconds`` (the deploy), then active."""
    sid = server_id or state.next_id("servers", 2900)
    server: dict[str, Any] = {
        "id": sid,
        "hostname": hostname,
        "billing_cycle": billing_cycle,
        "plan": dict(plan),
        "status": status,
        "virtualization": "kvm",
        "promo_code": promo_code,
        "locked": False,
        "locked_at": None,
        "created_at": iso(now),
        "expiry_at": iso(add_months(now, billing_cycle)),
        "potential_expiry_at": iso(add_months(now, billing_cycle * 2)),
        "auto_renew": True,
        "show_smtp_form": True,
        "server_image": {k: image[k] for k in IMAGE_FIELDS if k in image} if image else None,
        "addons": [],
        "cancel_request": None,
        "settings": {"renew_enabled": True, "snapshots_enabled": True},
        "_account": account,
        "_ip_ids": [],
        "_power": "running",
        "_rescue": False,
        "_ssh_keys": list(ssh_keys or []),
        "_isos": list(isos),
        "_measured_boot": None,
        "_pending": None,
        "_password_set_at": None,
    }
    server["_ip_ids"].append(allocate_ip(state, account, now, main=True, server_id=sid)["id"])
    for _ in range(extra_ipv4):
        server["_ip_ids"].append(allocate_ip(state, account, now, server_id=sid)["id"])
    for _ in range(extra_ipv4_ddos):
        server["_ip_ids"].append(allocate_ip(state, account, now, ddos=True, server_id=sid)["id"])
    for _ in range(extra_ipv6 or 1):
        server["_ip_ids"].append(allocate_ip(state, account, now, version=6, server_id=sid)["id"])
    for addon in addons or []:
        attach_addon(state, server, addon, now)
    state.insert("servers", server)
    if status == "processing":
        server["locked"] = True
        server["locked_at"] = iso(now)
        server["_pending"] = {
            "action": "deploy",
            "until": now + seconds,
            "set": {"status": "active"},
            "effects": [],
        }
    return server


def attach_addon(state: State, server: dict[str, Any], addon: dict[str, Any], now: float) -> dict[str, Any]:
    record = {
        "id": state.next_id("server_addons", 800),
        "name": addon["name"],
        "status": "active",
        "quantity": addon.get("quantity", 1),
        "amount": money(addon["amount"]),
        "amount_with_vat": money(addon["amount"] * 1.2),
        "created_at": plain(now),
        "ended_at": None,
    }
    server["addons"].append(record)
    return record


def fulfil(state: State, order: dict[str, Any], effect: dict[str, Any], now: float) -> None:
    kind = effect["kind"]
    account = order["_account"]
    server: dict[str, Any] | None
    if kind == "deploy":
        for spec in effect["servers"]:
            plan = state.plan_by_id(spec["plan_id"])
            image = state.image_by_id(spec["image_id"]) if spec.get("image_id") else None
            server = create_server(
                state,
                account,
                hostname=spec["hostname"],
                plan=plan or {},
                billing_cycle=spec["billing_cycle"],
                now=now,
                seconds=effect["seconds"],
                image=image,
                ssh_keys=spec.get("ssh_keys"),
                isos=(spec.get("primary_iso_id"), spec.get("secondary_iso_id")),
                extra_ipv4=spec.get("extra_ipv4", 0),
                extra_ipv4_ddos=spec.get("extra_ipv4_ddos", 0),
                extra_ipv6=spec.get("extra_ipv6", 0),
                addons=spec.get("addons"),
                promo_code=spec.get("promo_code"),
            )
            for line in order["services"]:
                if line.get("_hostname") == spec["hostname"] and line.get("service_id") is None:
                    line["service_id"] = server["id"]
    elif kind == "renew":
        for sid in effect["server_ids"]:
            server = state.coll("servers").get(str(sid))
            if not server:
                continue
            settle_server(state, server, now)
            from .clock import parse_iso

            base = max(parse_iso(server["expiry_at"]), now)
            server["expiry_at"] = iso(add_months(base, effect["billing_cycle"]))
            server["potential_expiry_at"] = iso(add_months(base, effect["billing_cycle"] * 2))
            server["billing_cycle"] = effect["billing_cycle"]
            if server["status"] == "suspended":
                server["status"] = "active"
    elif kind == "scale":
        server = state.coll("servers").get(str(effect["server_id"]))
        plan = state.plan_by_id(effect["plan_id"])
        if server and plan:
            settle_server(state, server, now)
            target = {"plan": dict(plan)}
            if server.get("locked") and server.get("_pending"):
                server["_pending"]["set"].update(target)
            else:
                server["locked"] = True
                server["locked_at"] = iso(now)
                server["_pending"] = {
                    "action": "scale",
                    "until": now + effect["seconds"],
                    "set": target,
                    "effects": [],
                }
    elif kind == "addons":
        server = state.coll("servers").get(str(effect["server_id"]))
        if server:
            for addon in effect["addons"]:
                existing = next(
                    (a for a in server["addons"] if a["name"] == addon["name"] and a["status"] == "active"),
                    None,
                )
                if existing and addon.get("replace", True):
                    existing.update(
                        quantity=addon.get("quantity", 1),
                        amount=money(addon["amount"]),
                        amount_with_vat=money(addon["amount"] * 1.2),
                    )
                else:
                    attach_addon(state, server, addon, now)
    elif kind == "floating_ips":
        for fid in effect["ids"]:
            fip = state.coll("floating_ips").get(str(fid))
            if fip and fip["status"] == "pending":
                fip["status"] = "active"
    elif kind == "support_plan":
        acc = state.account(account)
        current = acc.get("support_plan")
        base = now
        if current and current["plan"] == effect["plan"] and effect.get("renew"):
            from .clock import parse_iso

            base = max(parse_iso(current["expiry_at"]), now)
        acc["support_plan"] = {
            "plan": effect["plan"],
            "billing_cycle": effect["billing_cycle"],
            "started_at": current["started_at"] if current and effect.get("renew") else iso(now),
            "expiry_at": iso(add_months(base, effect["billing_cycle"])),
            "cancel_request": None,
        }
