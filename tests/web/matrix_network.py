"""Permission-matrix rows of the network area's web pages, merged into `tests/permission_matrix.py`.

Import the shared builders from `tests.permission_matrix` (it imports this module at its end).
VPSBG is unreachable in the matrix: the pages show their friendly upstream message, POSTs without
data re-render their form; another team's member gets 404 (the account is not theirs).
"""

from __future__ import annotations

from typing import Any

from panel.accounts.models import Team
from tests.permission_matrix import KwargsBuilder, _account_object, no_kwargs


def _attack(team: Team) -> dict[str, Any]:
    return {**_account_object(team), "attack_id": "Ws8PeaCFn4bZ4Rf"}


def _on_protection(operation: str) -> tuple[str, str, KwargsBuilder]:
    return ("POST", operation, _account_object)


URLS: dict[str, tuple[str, str | None, KwargsBuilder]] = {
    "web:network": ("GET", "floating_ips_list", no_kwargs),
    "web:floating_ip_purchase": ("GET", "floating_ips_purchase", no_kwargs),
    "web:floating_ip_cancel": ("GET", "floating_ips_cancel", _account_object),
    "web:floating_ip_undo_cancel": ("GET", "floating_ips_cancel_undo", _account_object),
    "web:network_protection": ("GET", "network_protection_get", _account_object),
    "web:network_protection_bandwidth": ("GET", "network_protection_bandwidth", _account_object),
    "web:network_attack": ("GET", "network_protection_attack_get", _attack),
    "web:network_attack_bandwidth": ("GET", "network_protection_attack_bandwidth", _attack),
    "web:network_geo_set": _on_protection("network_protection_geo_set"),
    "web:network_geo_update": _on_protection("network_protection_geo_update"),
    "web:network_geo_delete": ("GET", "network_protection_geo_delete", _account_object),
    "web:network_whitelist_set": _on_protection("network_protection_whitelist_set"),
    "web:network_whitelist_update": _on_protection("network_protection_whitelist_update"),
    "web:network_whitelist_delete": ("GET", "network_protection_whitelist_delete", _account_object),
    "web:network_blacklist_set": _on_protection("network_protection_blacklist_set"),
    "web:network_blacklist_update": _on_protection("network_protection_blacklist_update"),
    "web:network_blacklist_delete": ("GET", "network_protection_blacklist_delete", _account_object),
}
