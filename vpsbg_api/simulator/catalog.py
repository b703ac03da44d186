"""The provider's catalogue: plans, images, prices, promo codes. Values follow the reference's
documented examples (plan 104 ``cloud-vps-2gb``, plan 116 ``vds-8gb``, image 73 Ubuntu 22.04,
the addon price list of ``GET /plans/{id}/addons``, the ``fall24xx`` promo codes)."""

from __future__ import annotations

from typing import Any


def _plan(
    pid: int,
    kind: str,
    name: str,
    vcpus: int,
    memory: int,
    disk: int,
    bandwidth: int,
    price: float,
    available: bool = True,
    more_disk: int = 0,
    more_memory: int = 0,
) -> dict[str, Any]:
    return {
        "id": pid,
        "type": kind,
        "key": name,
        "name": name,
        "vcpus": vcpus,
        "memory": memory,
        "disk": disk,
        "bandwidth": bandwidth,
        "minimum_billing_cycle": 1,
        "plan_with_more_disk": more_disk,
        "plan_with_more_memory": more_memory,
        "available": available,
        "price": price,
        "price_with_vat": round(price * 1.2, 2),
    }


PLANS = [
    _plan(101, "cloud-vps", "cloud-vps-1gb", 1, 1, 25, 2, 13.33, more_memory=104),
    _plan(104, "cloud-vps", "cloud-vps-2gb", 2, 2, 50, 5, 22.33, more_disk=105, more_memory=105),
    _plan(105, "cloud-vps", "cloud-vps-4gb", 2, 4, 60, 5, 39, more_disk=106, more_memory=106),
    _plan(106, "cloud-vps", "cloud-vps-8gb", 4, 8, 120, 10, 70, more_disk=107, more_memory=107),
    _plan(107, "cloud-vps", "cloud-vps-16gb", 6, 16, 200, 10, 125),
    _plan(116, "vds", "vds-8gb", 2, 8, 50, 10, 90, available=False, more_memory=117),
    _plan(117, "vds", "vds-16gb", 4, 16, 100, 10, 160),
]


def _image(iid: int, name: str, group: str, key: str, kind: str = "os", eol: bool = False) -> dict[str, Any]:
    return {"id": iid, "name": name, "eol": eol, "group": {"name": group, "type": kind, "key": key}}


IMAGES = [
    _image(60, "Ubuntu 18.04", "Ubuntu", "ubuntu", eol=True),
    _image(73, "Ubuntu 22.04", "Ubuntu", "ubuntu"),
    _image(74, "Ubuntu 24.04", "Ubuntu", "ubuntu"),
    _image(80, "Debian 12", "Debian", "debian"),
    _image(81, "Debian 11", "Debian", "debian"),
    _image(90, "Rocky Linux 9", "Rocky Linux", "rocky"),
    _image(95, "AlmaLinux 9", "AlmaLinux", "almalinux"),
    _image(100, "Windows Server 2022", "Windows", "windows"),
    _image(120, "cPanel on AlmaLinux 8", "cPanel", "cpanel", kind="app"),
]

# GET /plans/{id}/addons example (monthly prices).
ADDON_PRICES = [
    {"key": "cpanel-admin-5", "price": 25, "price_with_vat": 30},
    {"key": "cpanel-pro-30", "price": 35, "price_with_vat": 42},
    {"key": "cpanel-premier-100", "price": 70, "price_with_vat": 84},
    {"key": "cpanel-plus-50", "price": 50, "price_with_vat": 60},
    {"key": "backups", "price": 5, "price_with_vat": 6},
    {"key": "100mbps-unmetered", "price": 50, "price_with_vat": 60},
    {"key": "1gbps-unmetered", "price": 450, "price_with_vat": 540},
    {"key": "windows-server-license", "price": 10, "price_with_vat": 12},
    {"key": "microsoft-rds-sal", "price": 5, "price_with_vat": 6},
    {"key": "microsoft-office-sal", "price": 12, "price_with_vat": 14.4},
]
CPANEL_KEYS = ("cpanel-admin-5", "cpanel-pro-30", "cpanel-plus-50", "cpanel-premier-100")

PROMO_CODES = [
    {"code": "fall2401", "percentage": 5, "minimum_billing_cycle": 1},
    {"code": "fall2403", "percentage": 10, "minimum_billing_cycle": 3},
    {"code": "fall2406", "percentage": 15, "minimum_billing_cycle": 6},
    {"code": "fall2412", "percentage": 20, "minimum_billing_cycle": 12},
    {"code": "fall2424", "percentage": 25, "minimum_billing_cycle": 24},
]

FLOATING_IP_PLANS = [
    {"id": 32, "name": "floating-ipv4", "available": True, "price": 2.5, "price_with_vat": 3},
    {"id": 33, "name": "floating-ipv4-ddos", "available": True, "price": 10, "price_with_vat": 12},
    {"id": 34, "name": "floating-ipv6", "available": True, "price": 1, "price_with_vat": 1.2},
]

DEPARTMENTS = [
    {"id": 1, "key": "sales", "name": "Sales"},
    {"id": 2, "key": "tech-support", "name": "Technical support"},
    {"id": 3, "key": "billing", "name": "Billing"},
    {"id": 4, "key": "abuse", "name": "Abuse"},
]

SUPPORT_PLANS = [
    {"key": "basic", "name": "Basic", "price": 0, "price_with_vat": 0, "response_time_hours": 24},
    {
        "key": "professional",
        "name": "Professional",
        "price": 15,
        "price_with_vat": 18,
        "response_time_hours": 4,
    },
    {"key": "enterprise", "name": "Enterprise", "price": 50, "price_with_vat": 60, "response_time_hours": 1},
]

COUNTRIES = {
    "33": {"code": "BG", "name": "Bulgaria", "name_bg": "България", "tax_rate": 20},
    "12": {"code": "DE", "name": "Germany", "name_bg": "Германия", "tax_rate": 19},
    "40": {"code": "US", "name": "United States", "name_bg": "САЩ", "tax_rate": 0},
    "25": {"code": "NL", "name": "Netherlands", "name_bg": "Нидерландия", "tax_rate": 21},
}

PUBLIC_ISOS = [
    {"id": 1, "name": "ubuntu-24.04-live-server-amd64.iso"},
    {"id": 2, "name": "debian-12.5.0-amd64-netinst.iso"},
    {"id": 3, "name": "virtio-win-0.1.240.iso"},
    {"id": 4, "name": "systemrescue-11.00-amd64.iso"},
]


def build_catalog() -> dict[str, Any]:
    import copy

    return copy.deepcopy(
        {
            "plans": PLANS,
            "images": IMAGES,
            "addon_prices": ADDON_PRICES,
            "promo_codes": PROMO_CODES,
            "floating_ip_plans": FLOATING_IP_PLANS,
            "departments": DEPARTMENTS,
            "support_plans": SUPPORT_PLANS,
            "countries": COUNTRIES,
        }
    )


def addon_price(catalog: dict[str, Any], key: str) -> float:
    for item in catalog["addon_prices"]:
        if item["key"] == key:
            return float(item["price"])
    raise KeyError(key)
