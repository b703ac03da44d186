"""Rules shared by several areas: server lifecycle, orders and payment, rendering.

Long actions are lazy: a server (or floating IP) carries ``_pending = {action, until, set,
effects}`` and ``settle()`` applies it once the clock passes ``until``. Every read and write
settles first, so no background thread is needed and tests can jump time with the clock.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .clock import iso, plain
from .errors import ApiError, invalid, locked
from .state import State, money, public

TAX_RATE = 1.2
MONTH = 30 * 86400


# ---- servers ---------------------------------------------------------------------------
def start_action(
    state: State,
    server: dict[str, Any],
    action: str,
    now: float,
    seconds: float,
    set_after: dict[str, Any] | None = None,
    effects: list[dict[str, Any]] | None = None,
    set_now: dict[str, Any] | None = None,
) -> None:
    """Lock the server for ``seconds``; apply ``set_after``/``effects`` when the time is up."""
    settle_server(state, server, now)
    if server.get("locked"):
        raise locked()
    server.update(set_now or {})
    server["locked"] = True
    server["locked_at"] = iso(now)
    server["_pending"] = {
        "action": action,
        "until": now + seconds,
        "set": set_after or {},
        "effects": effects or [],
    }
    state.dirty = True


def ensure_unlocked(state: State, server: dict[str, Any], now: float) -> None:
    settle_server(state, server, now)
    if server.get("locked"):
        raise locked()


def ensure_writable(state: State, server: dict[str, Any], now: float) -> None:
    ensure_unlocked(state, server, now)
    if server["status"] == "terminated":
        raise ApiError(422, "The server is terminated.")
    if server["status"] == "suspended":
        raise ApiError(422, "The server is suspended. Pay the outstanding orders to resume it.")
    if server["status"] == "processing":
        raise ApiError(422, "The server is still being set up.")


def settle_server(state: State, server: dict[str, Any], now: float) -> None:
    pending = server.get("_pending")
    if not pending or now < pending["until"]:
        return
    server.update(pending["set"])
    server["locked"] = False
    server["locked_at"] = None
    server["_pending"] = None
    for effect in pending["effects"]:
        apply_effect(state, effect, pending["until"])
    state.dirty = True
    state.generation += 1


def apply_effect(state: State, effect: dict[str, Any], when: float) -> None:
    kind = effect["kind"]
    if kind == "snapshot":
        state.insert("snapshots", {**effect["record"], "created_at": iso(when)})
    elif kind == "floating_ip_settle":
        fip = state.coll("floating_ips").get(str(effect["id"]))
        if fip:
            fip.update({"locked": False, "locked_at": None, "lock_reason": None})


def server_ips(state: State, server: dict[str, Any]) -> list[dict[str, Any]]:
    ips = state.coll("ips")
    return [ips[str(i)] for i in server.get("_ip_ids", []) if str(i) in ips]


def main_ip(state: State, server: dict[str, Any]) -> str | None:
    return next((ip["ip_address"] for ip in server_ips(state, server) if ip["main"]), None)


def render_plan(plan: dict[str, Any]) -> dict[str, Any]:
    return public(plan)


SERVER_IP_FIELDS = (
    "id",
    "ip_address",
    "prefix",
    "version",
    "type",
    "main",
    "ddos_protected",
    "floating_ip_id",
    "assigned_on",
    "gateway",
    "mask",
)


def render_server_ip(ip: dict[str, Any]) -> dict[str, Any]:
    out = {k: ip[k] for k in SERVER_IP_FIELDS if k in ip}
    ptr = ip.get("_ptr")
    out["floating_ip"] = ip.get("floating_ip_id") is not None
    out["ptr"] = next(iter(ptr.values())) if ptr else None
    return out


def render_ip(state: State, ip: dict[str, Any]) -> dict[str, Any]:
    """The ``IpAddress`` shape (ptr as a map of address -> name)."""
    out = {k: v for k, v in ip.items() if not k.startswith("_") and k not in ("gateway", "mask")}
    fip = state.coll("floating_ips").get(str(ip.get("floating_ip_id")))
    out["floating_ip"] = (
        {
            "id": fip["id"],
            "status": fip["status"],
            "ip": ip["ip_address"],
            "server_id": fip["server_id"],
            "expiry": fip["expiry_at"],
        }
        if fip
        else False
    )
    out["ptr"] = dict(ip["_ptr"]) if ip.get("_ptr") else None
    return out


def renew_amount(state: State, server: dict[str, Any]) -> float:
    plan = state.plan_by_id(server["plan"]["id"]) or server["plan"]
    addons = sum(a["amount"] for a in server["addons"] if a["status"] == "active")
    return money(plan["price"] * server["billing_cycle"] + addons)


def render_server(state: State, server: dict[str, Any], now: float) -> dict[str, Any]:
    settle_server(state, server, now)
    out = public(server)
    out["ip_addresses"] = [render_server_ip(ip) for ip in server_ips(state, server)]
    amount = renew_amount(state, server)
    out["renew_amount"] = amount
    out["renew_amount_with_vat"] = money(amount * TAX_RATE)
    out["state"] = server_state(state, server, now)
    return out


def server_state(state: State, server: dict[str, Any], now: float) -> dict[str, Any]:
    plan = server["plan"]
    mb = server.get("_measured_boot")
    image = state.coll("measured_boot_images").get(str(mb)) if mb else None
    seed = _unit(server["id"], int(now // 300))
    return {
        "running": is_running(server),
        "node_reachable": True,
        "cpu": {"used": round(1 + seed * 20, 1), "free": round(99 - seed * 20, 1)},
        "memory": {"used": round(plan["memory"] * (0.2 + seed * 0.5), 2), "limit": plan["memory"]},
        "disk": {"used": round(plan["disk"] * 0.08 + seed, 2), "limit": plan["disk"]},
        "amd_sev_level": 3 if plan.get("type") == "vds" else 0,
        "measured_boot": {"kernel_image": {"id": image["id"], "name": image["name"]}} if image else None,
    }


def is_running(server: dict[str, Any]) -> bool:
    pending = server.get("_pending")
    if pending and pending["action"] in (
        "restart",
        "start",
        "stop",
        "power-off",
        "deploy",
        "reinstall",
        "restore",
        "rescue",
        "scale",
    ):
        return False
    return server["status"] == "active" and server.get("_power") == "running"


def _unit(*parts: Any) -> float:
    """A deterministic number in [0, 1) from the given parts (for metrics and noise)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


unit = _unit


# ---- orders and money ------------------------------------------------------------------
def create_order(
    state: State,
    account_name: str,
    *,
    kind: str,
    lines: list[dict[str, Any]],
    now: float,
    auto_pay: bool = True,
    effects: list[dict[str, Any]] | None = None,
    promo: dict[str, Any] | None = None,
    payment_method: str = "balance",
) -> dict[str, Any]:
    """Create an Order (plus its proforma invoice) and pay it from balance when auto_pay can."""
    amount = money(sum(line["amount"] for line in lines))
    order_id = state.next_id("orders", 7800)
    order = {
        "id": order_id,
        "tax_rate": TAX_RATE,
        "amount": amount,
        "amount_with_vat": money(amount * TAX_RATE),
        "amount_from_balance": 0,
        "payment_method": payment_method,
        "status": "awaiting_payment",
        "type": kind,
        "auto_pay": auto_pay,
        "promo_applicable": promo is None and kind in ("new-service", "renew-service"),
        "created_at": iso(now),
        "due_at": iso(now + 14 * 86400),
        "payment_date": None,
        "invoice_ids": [],
        "promo": promo,
        "payment_information": None,
        "services": lines,
        "_account": account_name,
        "_effects": effects or [],
    }
    for line in lines:
        line.setdefault("amount_with_vat", money(line["amount"] * TAX_RATE))
    state.insert("orders", order)
    add_invoice(state, order, "proform", now)
    if auto_pay and kind != "deposit" and order["amount_with_vat"] <= state.account(account_name)["balance"]:
        pay_from_balance(state, order, now)
    return order


def add_invoice(state: State, order: dict[str, Any], kind: str, now: float) -> dict[str, Any]:
    invoice_id = state.next_id("invoices", 8700)
    # Proformas are numbered after the order (as in the reference), originals in their own series.
    number = (
        state.next_id("invoice_numbers", 7700)
        if kind == "proform"
        else state.next_id("invoice_numbers_original", 1500)
    )
    invoice = {
        "id": invoice_id,
        "invoice_number": f"{number:010d}",
        "created_at": iso(now),
        "amount": order["amount"],
        "amount_with_vat": order["amount_with_vat"],
        "type": kind,
        "order_ids": [order["id"]],
        "_account": order["_account"],
    }
    state.insert("invoices", invoice)
    order["invoice_ids"].append(invoice_id)
    return invoice


def record_transaction(
    state: State,
    account_name: str,
    amount: float,
    kind: str,
    description: str,
    now: float,
    order_id: int | None,
) -> None:
    account = state.account(account_name)
    account["balance"] = money(account["balance"] + amount)
    tx_id = state.next_id("transactions", 500)
    state.insert(
        "transactions",
        {
            "id": tx_id,
            "type": kind,
            "amount": money(amount),
            "balance_after": account["balance"],
            "description": description,
            "order_id": order_id,
            "created_at": iso(now),
            "_account": account_name,
        },
    )


def pay_from_balance(state: State, order: dict[str, Any], now: float) -> None:
    account = state.account(order["_account"])
    if order["type"] == "deposit":
        raise invalid("ids", f"Order {order['id']} is a deposit and cannot be paid from balance.")
    if account["balance"] + 1e-9 < order["amount_with_vat"]:
        raise invalid("payment_method", "Insufficient balance to pay the selected orders.")
    record_transaction(
        state,
        order["_account"],
        -order["amount_with_vat"],
        "payment",
        f"Payment of order #{order['id']}",
        now,
        order["id"],
    )
    order["amount_from_balance"] = order["amount_with_vat"]
    order["payment_method"] = "balance"
    mark_paid(state, order, now)


def mark_paid(state: State, order: dict[str, Any], now: float) -> None:
    order["status"] = "paid"
    order["payment_date"] = iso(now)
    add_invoice(state, order, "original", now)
    if order["type"] == "deposit":
        record_transaction(
            state,
            order["_account"],
            order["amount_with_vat"],
            "deposit",
            f"Deposit (order #{order['id']})",
            now,
            order["id"],
        )
        account = state.account(order["_account"])
        account["last_deposit"] = {
            "amount": order["amount"],
            "amount_with_vat": order["amount_with_vat"],
            "payment_method": order["payment_method"],
            "payment_date": iso(now),
        }
    from .fulfil import fulfil  # late import: fulfil builds servers, which needs this module

    for effect in order.get("_effects", []):
        fulfil(state, order, effect, now)
    state.dirty = True


def settle_order(state: State, order: dict[str, Any], now: float) -> None:
    """Orders paid by bank or bitcoin are 'processing' until the (simulated) money arrives."""
    if order["status"] == "processing" and now >= order.get("_settle_at", 0):
        info_method = order["payment_method"]
        if info_method in ("bitcoin", "bitcoin-ln"):
            order["payment_information"] = {
                "tx_hash": hashlib.sha256(str(order["id"]).encode()).hexdigest(),
                "tx_amount": f"{order['amount_with_vat'] / 85000:.6f}",
                "confirmed_at": iso(order["_settle_at"]),
            }
        mark_paid(state, order, order["_settle_at"])


def render_order(state: State, order: dict[str, Any], now: float, full: bool = True) -> dict[str, Any]:
    settle_order(state, order, now)
    out = public(order)
    invoice_ids = out.pop("invoice_ids")
    if full:
        out["services"] = [
            {k: v for k, v in line.items() if not k.startswith("_")} for line in out["services"]
        ]
        invoices = state.coll("invoices")
        out["invoices"] = [public(invoices[str(i)]) for i in invoice_ids if str(i) in invoices]
    else:
        out.pop("services", None)
    return out


def render_addon(addon: dict[str, Any]) -> dict[str, Any]:
    return public(addon)


def add_months(ts: float, months: int) -> float:
    return ts + months * MONTH


def addon_line(
    key: str, label: str, price: float, months: int, server: dict[str, Any], now: float, quantity: int = 1
) -> dict[str, Any]:
    return {
        "label": label,
        "sublabel": server["hostname"],
        "period_from": int(now),
        "period_to": int(add_months(now, months)),
        "is_period_changeable": False,
        "service_id": server["id"],
        "service_billing_cycle": None,
        "service_minimum_billing_cycle": None,
        "service_type": "server-addon",
        "amount": money(price * months * quantity),
        "amount_sublabel": key,
        "promo": None,
    }


def plain_now(now: float) -> str:
    return plain(now)
