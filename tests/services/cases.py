"""How to call each audited service successfully against the simulator's demo data.

`CASES[operationId](world)` returns the service's keyword arguments (the actor is added by the
test). `SETUPS` prepare state some calls need. An audited operation without a case fails
`test_every_audited_operation_has_a_case`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vpsbg_api.simulator import DEMO_2FA_SECRET, totp
from vpsbg_api.simulator.testing import RunningSimulator

from .conftest import ALPHA, BETA

A = f"{ALPHA}:"
PASSWORD = "s3cret-pass-Zq81"
RSA_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDJXgSGIiC3OMJtZrGBLY4rpfPjwWZiJtcG4JLUOWCt5h6cSQ4ESRFzCzK4uz6XM1Z"
    "ji"
    "zGj8r2T5IA+9nAdXZAmD8p9mZ8eYFz8QY/URBsn2ohX4NVR9ScGbr3Z3q6Vq6aK6YbW+J++CmgM5sV6BZhMkvr5V55MP0KGS3hCV02Oq"
    "Q4+q9jc6RXHZLJ2eSH7KrMz7ZTsV4yC5lfCwCfDdzeKU9ZjTjsGHU4N5nWnApJb7s1L2GdJ1F6QQNc6vN1z0SlZL9QqjMG3AicSiqJlRz"
    "AFK2u0xszj6wvgPhTZ/xsmdgH+b9y2r0bl6pLzImh0I6FCRRIm2JdFmlDnqQb user@example.com"
)


class World:
    """Ids of seeded things, read from the running simulator's state."""

    def __init__(self, running: RunningSimulator) -> None:
        self.running = running
        state = running.sim.state
        self.state = state
        orders = state.owned("orders", "alpha")
        self.renewal_order = next(
            o["id"] for o in orders if o["type"] == "renew-service" and o["status"] == "awaiting_payment"
        )
        self.protection = next(
            p["id"] for p in state.coll("protections").values() if p["_account"] == "alpha" and p["attacks"]
        )
        ips = state.coll("ips").values()
        self.ipv4_of_2864 = next(i["id"] for i in ips if i.get("_server_id") == 2864 and i["version"] == 4)
        self.second_ipv4_of_2865 = next(
            i["id"] for i in ips if i.get("_server_id") == 2865 and i["version"] == 4 and not i["main"]
        )
        self.invoice = next(i["id"] for i in state.owned("invoices", "alpha"))
        self.addon_of_2864 = state.coll("servers")["2864"]["addons"][0]["id"]

    def otp(self, secret: str = DEMO_2FA_SECRET) -> int:
        return int(totp(secret, self.running.sim.clock.now()))


Case = Callable[[World], dict[str, Any]]


def _np(extra: dict[str, Any] | None = None) -> Case:
    return lambda w: {"protected_ip": f"{A}{w.protection}", **(extra or {})}


NETWORKS = {"networks": ["100.100.200.100", "100.100.100.0/24"]}

CASES: dict[str, Case] = {
    # account
    "user_update": lambda w: {"city": "Plovdiv", "country_id": 33, "technical_email": "noc@alpha.example",
                              "account": ALPHA},
    "user_2fa_get_secret": lambda w: {"account": BETA},
    "user_2fa_enable": lambda w: {"account": BETA, "secret_key": "", "otp": 0},  # filled by SETUPS
    "user_2fa_disable": lambda w: {"account": ALPHA, "otp": w.otp()},
    "balance_deposit": lambda w: {"account": ALPHA, "amount": 100, "payment_method": "card"},
    "affiliate_activate": lambda w: {"account": BETA},
    "affiliate_update_referral_code": lambda w: {"account": ALPHA, "referral_code": "myawesomewebsite"},
    # billing
    "invoices_download": lambda w: {"invoice": f"{A}{w.invoice}"},
    "invoices_download_many": lambda w: {"account": ALPHA, "ids": [w.invoice]},
    "orders_delete": lambda w: {"order": f"{A}{w.renewal_order}"},
    "orders_update": lambda w: {"order": f"{A}{w.renewal_order}", "auto_pay": False},
    "orders_change_renewal_period": lambda w: {
        "order": f"{A}{w.renewal_order}", "service_type": "server", "service_id": 2869, "billing_cycle": 6,
        "promo_code": "fall2406",
    },
    "orders_pay": lambda w: {"account": ALPHA, "ids": [w.renewal_order], "payment_method": "balance"},
    "support_plans_purchase": lambda w: {"account": BETA, "billing_cycle": 1, "plan": "professional"},
    "support_plans_renew": lambda w: {"account": ALPHA, "billing_cycle": 3},
    "support_plans_cancel": lambda w: {"account": ALPHA, "reason": "Not needed", "now": False},
    "support_plans_undo_cancel": lambda w: {"account": ALPHA},
    # support
    "support_tickets_create": lambda w: {
        "account": ALPHA, "department_id": 2, "subject": "Example subject", "message": "Example message.",
        "service_id": 2864, "service_type": "server",
        "attachments": [("first_attachment.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png")],
    },
    "support_tickets_reply": lambda w: {
        "ticket": f"{A}216", "message": "Example reply message.", "attachments": [("log.txt", b"line one\n")],
    },
    "support_tickets_resolve": lambda w: {"ticket": f"{A}216"},
    "support_tickets_attachment_download": lambda w: {"ticket": f"{A}216", "attachment_id": 5},
    # library
    "ssh_keys_create": lambda w: {"account": ALPHA, "name": "Example SSH Key 2", "key": RSA_KEY},
    "ssh_keys_update": lambda w: {"ssh_key": f"{A}90", "name": "Renamed key"},
    "ssh_keys_delete": lambda w: {"ssh_key": f"{A}91"},
    "measured_boot_images_upload": lambda w: {
        "account": ALPHA, "file": ("kernel-new.efi", b"MZ" + b"\0" * 64, "application/octet-stream"),
    },
    "measured_boot_images_delete": lambda w: {"image": f"{A}229"},
    "snapshots_delete": lambda w: {"snapshot": f"{A}116"},
    "backups_delete": lambda w: {"backup": f"{A}77"},
    "isos_add": lambda w: {"account": ALPHA, "name": "netboot.iso",
                           "url": "https://boot.netboot.xyz/ipxe/netboot.xyz.iso"},
    "isos_delete": lambda w: {"iso": f"{A}101"},
    # servers
    "servers_deploy": lambda w: {
        "account": ALPHA, "name": "new_server", "plan": "cloud-vps-2gb", "billing_cycle": 3, "image_id": 73,
        "ssh_keys": [90], "backups": True, "extra_ipv4": 1, "promo_code": "fall2403", "password": PASSWORD,
    },
    "servers_start": lambda w: {"server": f"{A}2866"},
    "servers_stop": lambda w: {"server": f"{A}2864"},
    "servers_power_off": lambda w: {"server": f"{A}2864"},
    "servers_restart": lambda w: {"server": f"{A}2864"},
    "servers_cancel": lambda w: {"server": f"{A}2864", "reason": "Project ended.", "now": False},
    "servers_undo_cancel": lambda w: {"server": f"{A}2874"},
    "servers_change_password": lambda w: {"server": f"{A}2864", "password": PASSWORD, "reboot": False},
    "servers_update_hostname": lambda w: {"server": f"{A}2864", "hostname": "ubuntu-2gb.example.com"},
    "servers_update_ssh_keys": lambda w: {"server": f"{A}2864", "ssh_keys": [90, 91]},
    "servers_modify_isos": lambda w: {"server": f"{A}2864", "primary_iso_id": 1, "secondary_iso_id": None},
    "servers_restore": lambda w: {"server": f"{A}2864", "snapshot_id": 116},
    "servers_reinstall": lambda w: {"server": f"{A}2864", "image_id": 74, "password": PASSWORD,
                                    "ssh_keys": [90]},
    "servers_renew": lambda w: {"servers": [f"{A}2864"], "billing_cycle": 3, "promo_code": "fall2403"},
    "servers_change_primary_ip": lambda w: {"server": f"{A}2865", "ip_id": w.second_ipv4_of_2865},
    "servers_set_measured_boot": lambda w: {"server": f"{A}2873", "kernel_image_id": 229},
    "servers_scale": lambda w: {"server": f"{A}2864", "plan": "cloud-vps-4gb", "scale_disk": False},
    "servers_addons_purchase": lambda w: {"server": f"{A}2864", "cpanel": "cpanel-admin-5",
                                          "bandwidth": "100mbps-unmetered"},
    "servers_addons_scale": lambda w: {"server": f"{A}2872", "microsoft_rds_sal": 5},
    "servers_addons_cancel": lambda w: {"server": f"{A}2864", "server_addon_id": w.addon_of_2864,
                                        "reason": "string", "now": False},
    "servers_addons_undo_cancel": lambda w: {"server": f"{A}2864", "server_addon_id": w.addon_of_2864},
    "servers_rescue_enable": lambda w: {"server": f"{A}2864"},
    "servers_rescue_disable": lambda w: {"server": f"{A}2871"},
    "servers_snapshots_create": lambda w: {"server": f"{A}2864", "name": "before-upgrade"},
    # network
    "floating_ips_purchase": lambda w: {"billing_cycle": 1, "ipv4": 1, "ipv4_ddos": 0, "ipv6": 0,
                                        "server": f"{A}2864"},
    "floating_ips_cancel": lambda w: {"account": ALPHA, "ids": [610], "now": False,
                                      "reason": "No longer needed service."},
    "floating_ips_cancel_undo": lambda w: {"account": ALPHA, "ids": [602]},
    "floating_ips_attach": lambda w: {"ids": [602], "server": f"{A}2864"},
    "floating_ips_detach": lambda w: {"account": ALPHA, "ids": [608]},
    "ip_addresses_update": lambda w: {"ip_address": f"{A}{w.ipv4_of_2864}", "ptr": "example.com"},
    "network_protection_geo_set": _np({"action": "allow", "countries": ["BG"]}),
    "network_protection_geo_update": _np({"action": "deny"}),
    "network_protection_geo_delete": _np(),
    "network_protection_whitelist_set": _np(NETWORKS),
    "network_protection_whitelist_update": _np(NETWORKS),
    "network_protection_whitelist_delete": _np(),
    "network_protection_blacklist_set": _np(NETWORKS),
    "network_protection_blacklist_update": _np(NETWORKS),
    "network_protection_blacklist_delete": _np(),
}  # fmt: skip


def _enable_2fa(w: World, owner: Any, kwargs: dict[str, Any]) -> None:
    from panel.services import account

    secret = account.user_2fa_get_secret(actor=owner, account=BETA).secret_key
    kwargs.update(secret_key=secret, otp=w.otp(secret))


def _cancel_support_plan(w: World, owner: Any, kwargs: dict[str, Any]) -> None:
    from panel.services import billing

    billing.support_plans_cancel(actor=owner, account=ALPHA, reason="x", now=False)


def _free_measured_boot(w: World, owner: Any, kwargs: dict[str, Any]) -> None:
    w.state.coll("servers")["2873"]["_measured_boot"] = None


def _cancel_addon_later(w: World, owner: Any, kwargs: dict[str, Any]) -> None:
    from panel.services import servers

    servers.servers_addons_cancel(
        actor=owner, server=f"{A}2864", server_addon_id=w.addon_of_2864, reason="x", now=False
    )


SETUPS: dict[str, Callable[[World, Any, dict[str, Any]], None]] = {
    "user_2fa_enable": _enable_2fa,
    "support_plans_undo_cancel": _cancel_support_plan,
    "measured_boot_images_delete": _free_measured_boot,
    "servers_addons_undo_cancel": _cancel_addon_later,
}
