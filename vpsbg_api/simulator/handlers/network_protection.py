"""DDoS network protection of a protected IP address (``{id}`` is the IP address id)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ..clock import iso, parse_iso
from ..context import Ctx, Reply, handles, paginate
from ..domain import render_ip, unit
from ..errors import invalid, not_found
from ..validation import raise_validation

COUNTRY = re.compile(r"^[A-Z]{2}$")
PROTOCOLS = [("UDP", 17), ("TCP", 6), ("ICMP", 1)]


def _protection(ctx: Ctx) -> dict[str, Any]:
    record = ctx.state.coll("protections").get(ctx.params["id"])
    if record is None or record["_account"] != ctx.account_name:
        raise not_found("network protection")
    return record


@handles("network_protection_get")
def network_protection_get(ctx: Ctx) -> Any:
    prot = _protection(ctx)
    ip = ctx.state.coll("ips")[str(prot["id"])]
    service = None
    server = ctx.state.coll("servers").get(str(ip.get("_server_id")))
    if server:
        service = {"id": server["id"], "type": "server", "label": server["hostname"]}
    fip = ctx.state.coll("floating_ips").get(str(ip.get("floating_ip_id")))
    return {
        "under_attack": any(a["ongoing"] for a in prot["attacks"]),
        "ip_address": render_ip(ctx.state, ip),
        "floating_ip_id": ip.get("floating_ip_id"),
        "expiry_at": fip["expiry_at"] if fip else prot["expiry_at"],
        "protected_service": service,
    }


# ---- geo filter ------------------------------------------------------------------------
def _countries(value: Any) -> list[str]:
    errors = {
        f"countries.{i}": ["The country must be an ISO 3166-1 alpha-2 code."]
        for i, c in enumerate(value)
        if not isinstance(c, str) or not COUNTRY.match(c.upper())
    }
    if errors:
        raise_validation(errors)
    return sorted({c.upper() for c in value})


@handles("network_protection_geo_get")
def network_protection_geo_get(ctx: Ctx) -> Any:
    return dict(_protection(ctx)["geo"])


@handles("network_protection_geo_set")
def network_protection_geo_set(ctx: Ctx) -> Any:
    prot = _protection(ctx)
    prot["geo"] = {
        "active": True,
        "action": ctx.body["action"],
        "countries": _countries(ctx.body["countries"]),
    }
    ctx.state.dirty = True
    return dict(prot["geo"])


@handles("network_protection_geo_update")
def network_protection_geo_update(ctx: Ctx) -> Any:
    prot = _protection(ctx)
    geo = prot["geo"]
    if "action" in ctx.body:
        geo["action"] = ctx.body["action"]
    if "countries" in ctx.body:
        geo["countries"] = _countries(ctx.body["countries"])
    if isinstance(ctx.body.get("active"), bool):
        geo["active"] = ctx.body["active"]
    ctx.state.dirty = True
    return dict(geo)


@handles("network_protection_geo_delete")
def network_protection_geo_delete(ctx: Ctx) -> Any:
    prot = _protection(ctx)
    prot["geo"] = {"active": False, "action": "allow", "countries": []}
    ctx.state.dirty = True
    return Reply(204)


# ---- white/black lists -----------------------------------------------------------------
def _networks(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise invalid("networks", "The networks field must be a non-empty array.")
    if len(value) > 1000:
        raise invalid("networks", "The networks field must not have more than 1000 items.")
    out, errors = [], {}
    for i, item in enumerate(value):
        try:
            out.append(str(ipaddress.ip_network(str(item).strip(), strict=False)))
        except ValueError:
            errors[f"networks.{i}"] = ["The network must be an IP address or CIDR block."]
    if errors:
        raise_validation(errors)
    return list(dict.fromkeys(out))


def _list_ops(kind: str) -> None:
    def get(ctx: Ctx) -> Any:
        return dict(_protection(ctx)[kind])

    def set_(ctx: Ctx) -> Any:
        prot = _protection(ctx)
        prot[kind] = {"active": True, "networks": _networks(ctx.body["networks"])}
        ctx.state.dirty = True
        return dict(prot[kind])

    def update(ctx: Ctx) -> Any:
        """Partial update: ``active`` toggles the list, ``networks`` adds, ``remove`` takes away."""
        prot = _protection(ctx)
        current = prot[kind]
        body = ctx.body
        if not set(body) & {"active", "networks", "remove"}:
            raise invalid("networks", "Send active, networks (to add) and/or remove.")
        if "active" in body:
            if not isinstance(body["active"], bool):
                raise invalid("active", "The active field must be true or false.")
            current["active"] = body["active"]
        if "networks" in body:
            current["networks"] = list(dict.fromkeys(current["networks"] + _networks(body["networks"])))
        if "remove" in body:
            gone = set(_networks(body["remove"]))
            current["networks"] = [n for n in current["networks"] if n not in gone]
        if len(current["networks"]) > 1000:
            raise invalid("networks", "A list may hold at most 1000 networks.")
        ctx.state.dirty = True
        return dict(current)

    def delete(ctx: Ctx) -> Any:
        prot = _protection(ctx)
        prot[kind] = {"active": False, "networks": []}
        ctx.state.dirty = True
        return Reply(204)

    handles(f"network_protection_{kind}_get")(get)
    handles(f"network_protection_{kind}_set")(set_)
    handles(f"network_protection_{kind}_update")(update)
    handles(f"network_protection_{kind}_delete")(delete)


_list_ops("whitelist")
_list_ops("blacklist")


# ---- traffic and attacks ---------------------------------------------------------------
def _range(ctx: Ctx, default_span: int) -> tuple[int, int]:
    end = ctx.q_int("filter[end]", int(ctx.now), 0)
    start = ctx.q_int("filter[start]", (end or int(ctx.now)) - default_span, 0)
    assert start is not None and end is not None
    if end < start:
        raise invalid("filter[end]", "The filter[end] must be after filter[start].")
    if end - start > 31 * 86400:
        raise invalid("filter[start]", "The range may not exceed 31 days.")
    return start, end


def _series(key: Any, start: int, end: int, step: int, scale: float) -> list[dict[str, Any]]:
    points = []
    for ts in range(start - start % step, end + 1, step):
        noise = unit(key, ts)
        points.append(
            {
                "timestamp": ts,
                "incoming": round(scale * (0.2 + noise), 3),
                "outgoing": round(scale * 0.1 * (0.2 + noise), 3),
                "incoming_pps": int(scale * 1000 * (0.2 + noise)),
                "outgoing_pps": int(scale * 100 * (0.2 + noise)),
            }
        )
    return points


@handles("network_protection_bandwidth")
def network_protection_bandwidth(ctx: Ctx) -> Any:
    prot = _protection(ctx)
    start, end = _range(ctx, 86400)
    step = 300 if end - start <= 2 * 86400 else 3600
    return {"unit": "Mbps", "step": step, "data": _series(prot["id"], start, end, step, 25.0)}


@handles("network_protection_blocked_ips")
def network_protection_blocked_ips(ctx: Ctx) -> Any:
    prot = _protection(ctx)
    hour = int(ctx.now // 3600)
    data = []
    countries = ["CN", "RU", "US", "BR", "VN"]
    for i in range(int(unit(prot["id"], hour) * 6) + (3 if prot["blacklist"]["active"] else 0)):
        n = unit(prot["id"], hour, i)
        data.append(
            {
                "ip": f"198.51.100.{int(n * 250) + 1}",
                "country": countries[i % len(countries)],
                "reason": "blacklist" if i < 3 and prot["blacklist"]["active"] else "rate-limit",
                "blocked_at": iso(hour * 3600 - int(n * 3000)),
                "expires_at": iso(hour * 3600 + 3600),
            }
        )
    return {"data": data}


def _attack_detail(prot: dict[str, Any], attack: dict[str, Any]) -> dict[str, Any]:
    seed = attack["id"]
    peak_bw, peak_pps = attack["peak_bandwidth"], attack["peak_pps"]
    protocols = [
        {
            "name": name,
            "number": number,
            "peak_bandwidth": round(peak_bw * share, 6),
            "peak_pps": int(peak_pps * share),
            "total_bandwidth": round(peak_bw * share * 600, 3),
            "total_pps": int(peak_pps * share * 600),
        }
        for (name, number), share in zip(PROTOCOLS, (0.85, 0.13, 0.02), strict=True)
    ]
    asns = [
        {
            "asn": 4134 + i * 1000,
            "name": name,
            "country": country,
            "peak_bandwidth": round(peak_bw * s, 6),
            "peak_pps": int(peak_pps * s),
            "total_bandwidth": round(peak_bw * s * 600, 3),
            "total_pps": int(peak_pps * s * 600),
        }
        for i, (name, country, s) in enumerate(
            [("CHINANET-BACKBONE", "CN", 0.4), ("ROSTELECOM", "RU", 0.25), ("AMAZON-02", "US", 0.1)]
        )
    ]
    ips = [
        {
            "ip": f"203.0.113.{int(unit(seed, i) * 250) + 1}",
            "country": ["CN", "RU", "US"][i],
            "peak_bandwidth": round(peak_bw * 0.05 / (i + 1), 6),
            "peak_pps": int(peak_pps * 0.05 / (i + 1)),
            "total_bandwidth": round(peak_bw * 3 / (i + 1), 3),
            "total_pps": int(peak_pps * 3 / (i + 1)),
        }
        for i in range(3)
    ]
    return {
        **attack,
        "initial_bandwidth": round(peak_bw * 0.056, 6),
        "initial_pps": int(peak_pps * 0.056),
        "top_protocols": protocols,
        "top_source_asns": asns,
        "top_source_ips": ips,
        "top_ports": {
            "tcp": {"443": int(peak_pps * 0.1), "80": int(peak_pps * 0.03)},
            "udp": {"123": int(peak_pps * 0.6), "53": int(peak_pps * 0.2)},
        },
    }


def _attacks(ctx: Ctx, prot: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for attack in prot["attacks"]:
        a = dict(attack)
        if a["ongoing"]:
            a["ended_at"] = iso(ctx.now)
        out.append(a)
    return out


@handles("network_protection_attacks_list")
def network_protection_attacks_list(ctx: Ctx) -> Any:
    prot = _protection(ctx)
    start = ctx.q_int("filter[start]", None, 0)
    end = ctx.q_int("filter[end]", None, 0)
    items = []
    for attack in sorted(_attacks(ctx, prot), key=lambda a: a["started_at"], reverse=True):
        began = parse_iso(attack["started_at"])
        if start is not None and began < start:
            continue
        if end is not None and began > end:
            continue
        items.append(attack)
    return paginate(ctx, items)


def _attack(ctx: Ctx) -> tuple[dict[str, Any], dict[str, Any]]:
    prot = _protection(ctx)
    attack = next((a for a in _attacks(ctx, prot) if a["id"] == ctx.params["attack_id"]), None)
    if attack is None:
        raise not_found("attack")
    return prot, attack


@handles("network_protection_attack_get")
def network_protection_attack_get(ctx: Ctx) -> Any:
    prot, attack = _attack(ctx)
    return _attack_detail(prot, attack)


@handles("network_protection_attack_bandwidth")
def network_protection_attack_bandwidth(ctx: Ctx) -> Any:
    _, attack = _attack(ctx)
    start, end = int(parse_iso(attack["started_at"])), int(parse_iso(attack["ended_at"]))
    step = max((end - start) // 60, 10)
    return {
        "unit": "Mbps",
        "step": step,
        "data": _series(attack["id"], start, end, step, attack["peak_bandwidth"] / 1.2),
    }
