"""Seed data: the documented demo tokens and a world that exercises every screen.

``DEMO_TOKENS`` are fixed so the panel's demo seed and the docs can name them:

- ``alpha_rw`` / ``alpha_ro``: read-write and read-only tokens of account ``alpha``
- ``beta_rw``: read-write token of account ``beta``

Account ``alpha`` has 2FA enabled with ``DEMO_2FA_SECRET`` (compute codes with
``vpsbg_api.simulator.keys.totp``).
"""

from __future__ import annotations

from typing import Any

from .catalog import PUBLIC_ISOS, addon_price, build_catalog
from .clock import iso, plain
from .domain import add_months, create_order, record_transaction
from .fulfil import allocate_ip, create_server
from .keys import demo_public_key, ssh_fingerprint
from .state import State, empty_state

DEMO_TOKENS: dict[str, str] = {
    "alpha_rw": "vpsbg-demo-alpha-rw-0c5f2b7e",
    "alpha_ro": "vpsbg-demo-alpha-ro-4e81d9a3",
    "beta_rw": "vpsbg-demo-beta-rw-9a6c03f1",
}
DEMO_ACCOUNTS = {"alpha_rw": ("alpha", "rw"), "alpha_ro": ("alpha", "ro"), "beta_rw": ("beta", "rw")}
DEMO_2FA_SECRET = "TYFM77AMC6O2RPHA"

# A tiny valid PNG (1x1), used as the seeded ticket attachment.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _user(name: str, email: str, country: dict[str, Any], aff: str, twofa: bool) -> dict[str, Any]:
    return {
        "name": name,
        "email": email,
        "tech_email": email.replace("@", "+tech@"),
        "phone_number": "0884625630",
        "country": dict(country),
        "city": "Sofia",
        "address": "1 Vitosha Blvd",
        "postal_code": "1000",
        "aff_hash": aff,
        "company_name": f"{name} Ltd",
        "company_address": "1 Vitosha Blvd, Sofia",
        "company_number": "223344",
        "vat_number": "BG123456789",
        "2fa_enabled": twofa,
        "email_otp_enabled": False,
        "newsletter": False,
        "language_id": 1,
    }


def _account(
    state: State, name: str, display: str, email: str, balance: float, aff: str, twofa: bool, now: float
) -> dict[str, Any]:
    catalog = state.catalog
    account = {
        "name": name,
        "user": _user(display, email, catalog["countries"]["33"], aff, twofa),
        "balance": 0.0,
        "balance_limit": 0,
        "has_valid_card": True,
        "last_deposit": {
            "amount": 41.67,
            "amount_with_vat": 50,
            "payment_method": "card",
            "payment_date": iso(now - 40 * 86400),
        },
        "twofa": {"enabled": twofa, "secret": DEMO_2FA_SECRET if twofa else None, "pending": None},
        "affiliate": None,
        "conversions": [],
        "payouts": [],
        "support_plan": None,
    }
    state.data["accounts"][name] = account
    if balance:
        record_transaction(state, name, balance, "deposit", "Opening balance", now - 60 * 86400, None)
    return account


def build_state(
    seed: str = "demo",
    *,
    now: float,
    extra_servers: int = 0,
    balance: float | None = None,
    seconds: float = 20.0,
) -> dict[str, Any]:
    if seed not in ("demo", "empty"):
        raise ValueError(f"unknown seed {seed!r}: use 'demo' or 'empty'")
    state = State(empty_state())
    state.data["catalog"] = build_catalog()
    for iso_record in PUBLIC_ISOS:
        state.insert("isos", {**iso_record, "_account": None, "_public": True})
    state.data["seq"]["isos"] = 100
    if seed == "empty":
        _account(
            state,
            "alpha",
            "Alpha Ops",
            "ops@alpha.example",
            balance if balance is not None else 500.0,
            "alphaops",
            False,
            now,
        )
        _account(state, "beta", "Beta Hosting", "admin@beta.example", 100.0, "betahost", False, now)
    else:
        _demo(state, now, balance, seconds)
    for name, (account, mode) in DEMO_ACCOUNTS.items():
        state.data["tokens"][DEMO_TOKENS[name]] = {"account": account, "mode": mode}
    for i in range(extra_servers):
        create_server(
            state,
            "alpha",
            hostname=f"bench-{i + 1:04d}.example.net",
            plan=state.plan_by_id(104) or {},
            billing_cycle=1,
            now=now - i * 60,
            seconds=0,
            image=state.image_by_id(73),
            status="active",
        )
    return state.data


def _paid_deploy(
    state: State,
    account: str,
    now: float,
    hostname: str,
    plan_id: int,
    image_id: int,
    cycle: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    """A server as if bought earlier: a paid new-service order and the server it made."""
    plan = state.plan_by_id(plan_id) or {}
    image = state.image_by_id(image_id)
    server = create_server(
        state,
        account,
        hostname=hostname,
        plan=plan,
        billing_cycle=cycle,
        now=now,
        seconds=0,
        image=image,
        status="active",
        **extra,
    )
    line = {
        "label": f"Cloud VPS {plan['memory']} GB - {hostname}",
        "sublabel": None,
        "period_from": int(now),
        "period_to": int(add_months(now, cycle)),
        "is_period_changeable": False,
        "service_id": server["id"],
        "service_billing_cycle": cycle,
        "service_minimum_billing_cycle": 1,
        "service_type": "server",
        "amount": round(plan["price"] * cycle, 2),
        "amount_sublabel": "",
        "promo": None,
    }
    create_order(state, account, kind="new-service", lines=[line], now=now)
    return server


def _demo(state: State, now: float, balance: float | None, seconds: float) -> None:
    day = 86400
    _account(
        state, "alpha", "Alpha Ops", "ops@alpha.example", 3476.06 + 2000, "alphaops", True, now - 400 * day
    )
    _account(state, "beta", "Beta Hosting", "admin@beta.example", 150.0, "betahost", False, now - 200 * day)
    alpha = state.account("alpha")

    # SSH keys
    keys = []
    for kid, name, account, kind in [
        (90, "Example SSH Key", "alpha", "ssh-rsa"),
        (91, "deploy-ci", "alpha", "ssh-ed25519"),
        (92, "beta-admin", "beta", "ssh-ed25519"),
    ]:
        key = demo_public_key(f"{name}@{account}", kind)
        keys.append(
            state.insert(
                "ssh_keys",
                {
                    "id": kid,
                    "name": name,
                    "fingerprint": ssh_fingerprint(key),
                    "key": key,
                    "_account": account,
                },
            )
        )
    state.data["seq"]["ssh_keys"] = 100

    # Alpha's servers (ids follow the reference's examples).
    s = {}
    s["ubuntu"] = _paid_deploy(
        state,
        "alpha",
        now - 90 * day,
        "ubuntu-2gb",
        104,
        73,
        server_id=2864,
        ssh_keys=[90],
        addons=[{"name": "backups", "quantity": 50, "amount": 5}],
    )
    s["web1"] = _paid_deploy(
        state,
        "alpha",
        now - 80 * day,
        "web-01.alpha.example",
        105,
        74,
        cycle=3,
        server_id=2865,
        ssh_keys=[90, 91],
        extra_ipv4_ddos=1,
    )
    s["web2"] = _paid_deploy(
        state, "alpha", now - 80 * day, "web-02.alpha.example", 105, 74, cycle=3, server_id=2866
    )
    s["web2"]["_power"] = "stopped"
    s["db"] = _paid_deploy(
        state,
        "alpha",
        now - 70 * day,
        "db-01.alpha.example",
        106,
        80,
        cycle=6,
        server_id=2867,
        addons=[{"name": "cpanel-admin-5", "amount": 25}],
    )
    s["legacy"] = _paid_deploy(
        state, "alpha", now - 65 * day, "legacy-app.alpha.example", 101, 60, server_id=2869
    )
    s["legacy"]["status"] = "suspended"
    s["legacy"]["_power"] = "stopped"
    s["legacy"]["expiry_at"] = iso(now - 5 * day)
    s["staging"] = _paid_deploy(
        state, "alpha", now - 50 * day, "staging.alpha.example", 104, 73, server_id=2870
    )
    s["staging"].update(locked=True, locked_at=iso(now))
    s["staging"]["_pending"] = {
        "action": "reinstall",
        "until": now + max(seconds * 3, 60),
        "set": {"server_image": {k: v for k, v in (state.image_by_id(74) or {}).items()}},
        "effects": [],
    }
    s["rescue"] = _paid_deploy(
        state, "alpha", now - 45 * day, "rescue-box.alpha.example", 104, 80, server_id=2871
    )
    s["rescue"]["_rescue"] = True
    s["win"] = _paid_deploy(
        state,
        "alpha",
        now - 40 * day,
        "win-rdp.alpha.example",
        106,
        100,
        server_id=2872,
        addons=[
            {"name": "windows-server-license", "amount": 10},
            {"name": "microsoft-rds-sal", "quantity": 3, "amount": 15},
        ],
    )
    s["vds"] = _paid_deploy(
        state, "alpha", now - 30 * day, "vds-secure.alpha.example", 117, 74, server_id=2873
    )
    s["mail"] = _paid_deploy(state, "alpha", now - 20 * day, "mail.alpha.example", 104, 80, server_id=2874)
    s["mail"]["cancel_request"] = {
        "id": 233,
        "type": 1,
        "reason": "Moving mail to a hosted service.",
        "created_at": iso(now - 2 * day),
    }
    s["analytics"] = _paid_deploy(
        state,
        "alpha",
        now - 10 * day,
        "analytics.alpha.example",
        107,
        90,
        cycle=12,
        server_id=2875,
        addons=[{"name": "100mbps-unmetered", "amount": 50}],
    )
    # One deploy still running: a processing, locked server.
    build = create_server(
        state,
        "alpha",
        hostname="build-runner.alpha.example",
        plan=state.plan_by_id(104) or {},
        billing_cycle=1,
        now=now,
        seconds=max(seconds * 3, 60),
        image=state.image_by_id(73),
        server_id=2868,
    )
    s["build"] = build
    state.data["seq"]["servers"] = 2900

    # Beta's servers.
    _paid_deploy(state, "beta", now - 30 * day, "beta-web.example", 104, 73, server_id=2950, ssh_keys=[92])
    _paid_deploy(state, "beta", now - 25 * day, "beta-db.example", 105, 80, server_id=2951)

    # Measured boot image in use by the VDS.
    state.insert(
        "measured_boot_images",
        {
            "id": 229,
            "name": "bpir-tier3-20260812.efi",
            "size": 18_874_368,
            "created_at": iso(now - 31 * day),
            "_account": "alpha",
        },
    )
    s["vds"]["_measured_boot"] = 229
    state.data["seq"]["measured_boot_images"] = 300

    # Custom ISO.
    state.insert(
        "isos",
        {
            "id": 101,
            "name": "alpha-custom-installer.iso",
            "_account": "alpha",
            "_public": False,
            "url": "https://images.alpha.example/installer.iso",
        },
    )
    state.data["seq"]["isos"] = 101
    s["rescue"]["_isos"] = [4, None]

    # Snapshots and backups (documented example names).
    state.insert(
        "snapshots",
        {
            "id": 116,
            "server_id": 2864,
            "name": "example_snapshot",
            "created_at": iso(now - 12 * day),
            "size": 50,
            "_account": "alpha",
        },
    )
    state.insert(
        "snapshots",
        {
            "id": 117,
            "server_id": 2865,
            "name": "before-upgrade",
            "created_at": iso(now - 3 * day),
            "size": 60,
            "_account": "alpha",
        },
    )
    state.insert(
        "snapshots",
        {
            "id": 118,
            "server_id": 2950,
            "name": "beta-initial",
            "created_at": iso(now - 4 * day),
            "size": 50,
            "_account": "beta",
        },
    )
    state.data["seq"]["snapshots"] = 200
    for i, days in enumerate((1, 2, 3, 8)):
        when = now - days * day
        stamp = plain(when).replace("-", "_").replace(" ", "-").replace(":", "_")
        state.insert(
            "backups",
            {
                "id": 77 - i,
                "server_id": 2864,
                "server_hostname": "ubuntu-2gb",
                "server_ip": _main_ip(state, s["ubuntu"]),
                "name": f"71_ubuntu-2gb_{stamp}.qcow2.gz",
                "created_at": iso(when),
                "size": 50,
                "_account": "alpha",
            },
        )
    state.data["seq"]["backups"] = 200

    # Floating IPs: one idle with a cancel request, one attached to web-01, one DDoS-protected.
    _floating(
        state,
        "alpha",
        now,
        602,
        plan_id=32,
        cycle=1,
        cancel={"id": 234, "type": 1, "reason": "Example reason.", "created_at": iso(now - day)},
    )
    _floating(state, "alpha", now, 608, plan_id=32, cycle=1, server=s["web1"], ptr="www.alpha.example")
    _floating(state, "alpha", now, 610, plan_id=33, cycle=3, ddos=True)
    _floating(state, "beta", now, 620, plan_id=32, cycle=1)
    state.data["seq"]["floating_ips"] = 700

    # Network protection on web-01's DDoS IP: geo filter, lists, attacks.
    ddos_ip = next(
        ip for ip in state.coll("ips").values() if ip.get("_server_id") == 2865 and ip["ddos_protected"]
    )
    prot = state.coll("protections")[str(ddos_ip["id"])]
    prot["geo"] = {"active": True, "action": "allow", "countries": ["BG", "DE", "NL"]}
    prot["whitelist"] = {"active": True, "networks": ["100.100.100.0/24", "100.100.200.100/32"]}
    prot["blacklist"] = {"active": True, "networks": ["203.0.113.0/24"]}
    prot["attacks"] = [
        {
            "id": "Ws8PeaCFn4bZ4Rf",
            "ongoing": False,
            "started_at": iso(now - 3 * day),
            "ended_at": iso(now - 3 * day + 915),
            "detector": "PPS",
            "severity": "low",
            "reason": "PPS threshold 50.000k is exceeded (63.839k)",
            "description": "UDP ANY:53 to ANY:[0-65535]",
            "peak_bandwidth": 157.928618,
            "peak_pps": 117936,
        },
        {
            "id": "qAEbdFBBluE9bYI",
            "ongoing": False,
            "started_at": iso(now - 8 * day),
            "ended_at": iso(now - 8 * day + 1035),
            "detector": "BPS",
            "severity": "middle",
            "reason": "BPS threshold 50.000M is exceeded (1.214G)",
            "description": "UDP ANY:123 to ANY:[0-65535]",
            "peak_bandwidth": 23197.292503,
            "peak_pps": 3142007,
        },
        {
            "id": "Zt1LmQ8rKx2VbN0",
            "ongoing": True,
            "started_at": iso(now - 600),
            "ended_at": iso(now),
            "detector": "PPS",
            "severity": "high",
            "reason": "PPS threshold 50.000k is exceeded (412.118k)",
            "description": "TCP ANY:[0-65535] to ANY:443",
            "peak_bandwidth": 3310.5,
            "peak_pps": 412118,
        },
    ]
    prot["under_attack"] = True

    # Orders: a renewal awaiting payment for the suspended server, a bank deposit awaiting payment.
    legacy_plan = s["legacy"]["plan"]
    create_order(
        state,
        "alpha",
        kind="renew-service",
        now=now - 6 * day,
        auto_pay=False,
        lines=[
            {
                "label": "Renewal: Cloud VPS 1 GB - legacy-app.alpha.example ["
                + _main_ip(state, s["legacy"])
                + "]",
                "sublabel": _main_ip(state, s["legacy"]),
                "period_from": int(now - 5 * day),
                "period_to": int(add_months(now - 5 * day, 3)),
                "is_period_changeable": True,
                "service_id": 2869,
                "service_billing_cycle": 3,
                "service_minimum_billing_cycle": 1,
                "service_type": "server",
                "amount": round(legacy_plan["price"] * 3, 2),
                "amount_sublabel": "",
                "promo": None,
            }
        ],
        effects=[{"kind": "renew", "server_ids": [2869], "billing_cycle": 3}],
    )
    create_order(
        state,
        "alpha",
        kind="deposit",
        now=now - 2 * day,
        payment_method="bank",
        lines=[
            {
                "label": "Balance deposit",
                "sublabel": None,
                "period_from": None,
                "period_to": None,
                "is_period_changeable": False,
                "service_id": None,
                "service_billing_cycle": None,
                "service_minimum_billing_cycle": None,
                "service_type": None,
                "amount": 250,
                "amount_sublabel": "",
                "promo": None,
            }
        ],
    )
    create_order(
        state,
        "beta",
        kind="new-addon",
        now=now - day,
        auto_pay=False,
        lines=[
            {
                "label": "Automatic backups (50 GB)",
                "sublabel": "beta-web.example",
                "period_from": int(now),
                "period_to": int(add_months(now, 1)),
                "is_period_changeable": False,
                "service_id": 2950,
                "service_billing_cycle": None,
                "service_minimum_billing_cycle": None,
                "service_type": "server-addon",
                "amount": addon_price(state.catalog, "backups"),
                "amount_sublabel": "",
                "promo": None,
            }
        ],
        effects=[
            {
                "kind": "addons",
                "server_id": 2950,
                "addons": [{"name": "backups", "quantity": 50, "amount": 5}],
            }
        ],
    )

    # Support: a plan, departments are in the catalogue, tickets with messages and an attachment.
    alpha["support_plan"] = {
        "plan": "professional",
        "billing_cycle": 1,
        "started_at": iso(now - 100 * day),
        "expiry_at": iso(now + 20 * day),
        "cancel_request": None,
    }
    state.insert(
        "attachments",
        {
            "id": 5,
            "name": "first_attachment.png",
            "size": len(PNG_1X1),
            "mimeType": "image/png",
            "_ticket": 216,
            "_data": PNG_1X1.hex(),
            "_account": "alpha",
        },
    )
    state.insert(
        "tickets",
        {
            "id": 216,
            "status": "answered",
            "subject": "Server misbehaves",
            "created_at": iso(now - 5 * day),
            "updated_at": iso(now - 4 * day),
            "department": "tech-support",
            "service_label": f"web-01.alpha.example - {_main_ip(state, s['web1'])}",
            "service_type": "server",
            "service_id": 2865,
            "_account": "alpha",
            "messages": [
                {
                    "id": 50,
                    "content": "The web server stops answering every night around 02:00.",
                    "is_customer": True,
                    "created_at": iso(now - 5 * day),
                    "attachment_ids": [5],
                },
                {
                    "id": 51,
                    "content": "We see a DDoS mitigation event at that time; please check the attacks page.",
                    "is_customer": False,
                    "created_at": iso(now - 4 * day),
                    "attachment_ids": [],
                },
            ],
        },
    )
    state.insert(
        "tickets",
        {
            "id": 217,
            "status": "resolved",
            "subject": "Invoice question",
            "created_at": iso(now - 30 * day),
            "updated_at": iso(now - 29 * day),
            "department": "billing",
            "service_label": None,
            "service_type": None,
            "service_id": 0,
            "_account": "alpha",
            "messages": [
                {
                    "id": 52,
                    "content": "Can the invoices show our VAT number?",
                    "is_customer": True,
                    "created_at": iso(now - 30 * day),
                    "attachment_ids": [],
                },
                {
                    "id": 53,
                    "content": "Done: every new invoice carries it.",
                    "is_customer": False,
                    "created_at": iso(now - 29 * day),
                    "attachment_ids": [],
                },
            ],
        },
    )
    state.insert(
        "tickets",
        {
            "id": 218,
            "status": "opened",
            "subject": "Reverse DNS for beta-web",
            "created_at": iso(now - day),
            "updated_at": iso(now - day),
            "department": "tech-support",
            "service_label": None,
            "service_type": None,
            "service_id": 0,
            "_account": "beta",
            "messages": [
                {
                    "id": 54,
                    "content": "Please help set up reverse DNS.",
                    "is_customer": True,
                    "created_at": iso(now - day),
                    "attachment_ids": [],
                }
            ],
        },
    )
    state.data["seq"].update(tickets=300, ticket_messages=100, attachments=100)

    # Affiliate programme (reference example values).
    alpha["affiliate"] = {
        "referral_code": "myawesomewebsite2",
        "referral_url": "https://www.vpsbg.eu/aff/myawesomewebsite2",
        "referrals_turnover": 30,
        "commission": 5,
        "estimated_earnings": 1.5,
        "all_time_earnings": 1.5,
        "next_payout_in_days": 15,
    }
    alpha["conversions"] = [
        {
            "id": 1,
            "order_id": 7390,
            "amount": 30,
            "commission": 1.5,
            "status": "approved",
            "created_at": iso(now - 20 * day),
        },
    ]
    alpha["payouts"] = [
        {"id": 1, "amount": 12.5, "method": "balance", "status": "paid", "created_at": iso(now - 60 * day)},
    ]

    if balance is not None:  # an explicit balance overrides what the history left
        alpha["balance"] = float(balance)


def _main_ip(state: State, server: dict[str, Any]) -> str:
    ips = state.coll("ips")
    return next(ips[str(i)]["ip_address"] for i in server["_ip_ids"] if ips[str(i)]["main"])


def _floating(
    state: State,
    account: str,
    now: float,
    fid: int,
    *,
    plan_id: int,
    cycle: int,
    ddos: bool = False,
    server: dict[str, Any] | None = None,
    cancel: dict[str, Any] | None = None,
    ptr: str | None = None,
) -> dict[str, Any]:
    plan = next(p for p in state.catalog["floating_ip_plans"] if p["id"] == plan_id)
    ip = allocate_ip(
        state, account, now, ddos=ddos, floating_ip_id=fid, server_id=server["id"] if server else None
    )
    if ptr:
        ip["_ptr"] = {ip["ip_address"]: ptr}
    fip = {
        "id": fid,
        "status": "active",
        "server_id": server["id"] if server else None,
        "billing_cycle": cycle,
        "expiry_at": iso(add_months(now, cycle)),
        "locked": False,
        "locked_at": None,
        "lock_reason": None,
        "plan_id": plan_id,
        "ip_id": ip["id"],
        "cancel_request": cancel,
        "_account": account,
    }
    fip["plan"] = dict(plan)
    if server:
        server["_ip_ids"].append(ip["id"])
    return state.insert("floating_ips", fip)
