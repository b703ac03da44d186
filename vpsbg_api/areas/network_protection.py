"""`client.network_protection`: the operations network_protection_geo_get, network_protection_geo_set,
network_protection_geo_update, network_protection_geo_delete, network_protection_whitelist_get,
network_protection_whitelist_set, network_protection_whitelist_update,
network_protection_whitelist_delete, network_protection_blacklist_get,
network_protection_blacklist_set, network_protection_blacklist_update,
network_protection_blacklist_delete, network_protection_get, network_protection_bandwidth,
network_protection_blocked_ips, network_protection_attacks_list, network_protection_attack_get,
network_protection_attack_bandwidth.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

from ..calls import operation
from ..models import Attack, AttackSummary, GeoFilter, IpFilterList, NetworkProtectionInfo
from ..results import Page
from ._base import Area, body

__all__ = ["NetworkProtectionArea"]


class NetworkProtectionArea(Area):
    """Operations of the `network_protection` area of the VPSBG API."""

    @operation("network_protection_geo_get")
    def geo_get(self, id: int) -> GeoFilter:
        """Get current geo filter."""
        return self._call("network_protection_geo_get", model=GeoFilter, path={"id": id})

    @operation("network_protection_geo_set")
    def geo_set(self, id: int, *, action: Literal["allow", "deny"], countries: Sequence[str]) -> GeoFilter:
        """Set geo filter (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "network_protection_geo_set",
            model=GeoFilter,
            path={"id": id},
            json=body({"action": action, "countries": countries}),
        )

    @operation("network_protection_geo_update")
    def geo_update(
        self,
        id: int,
        *,
        action: Literal["allow", "deny"] | None = None,
        countries: Sequence[str] | None = None,
    ) -> GeoFilter:
        """Update geo filter (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "network_protection_geo_update",
            model=GeoFilter,
            path={"id": id},
            json=body({}, action=action, countries=countries),
        )

    @operation("network_protection_geo_delete")
    def geo_delete(self, id: int) -> Any:
        """Delete geo filter (inferred route: `x-unverified` in the reference)."""
        return self._call("network_protection_geo_delete", path={"id": id})

    @operation("network_protection_whitelist_get")
    def whitelist_get(self, id: int) -> IpFilterList:
        """Get status and list of IPs (inferred route: `x-unverified` in the reference)."""
        return self._call("network_protection_whitelist_get", model=IpFilterList, path={"id": id})

    @operation("network_protection_whitelist_set")
    def whitelist_set(self, id: int, *, networks: Sequence[str]) -> IpFilterList:
        """Whitelist IP addresses (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "network_protection_whitelist_set",
            model=IpFilterList,
            path={"id": id},
            json=body({"networks": networks}),
        )

    @operation("network_protection_whitelist_update")
    def whitelist_update(
        self, id: int, *, networks: Sequence[str] | None = None, active: bool | None = None
    ) -> IpFilterList:
        """Update IP addresses list (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "network_protection_whitelist_update",
            model=IpFilterList,
            path={"id": id},
            json=body({}, networks=networks, active=active),
        )

    @operation("network_protection_whitelist_delete")
    def whitelist_delete(self, id: int) -> Any:
        """Delete all rules (inferred route: `x-unverified` in the reference)."""
        return self._call("network_protection_whitelist_delete", path={"id": id})

    @operation("network_protection_blacklist_get")
    def blacklist_get(self, id: int) -> IpFilterList:
        """Get status and list of IPs (inferred route: `x-unverified` in the reference)."""
        return self._call("network_protection_blacklist_get", model=IpFilterList, path={"id": id})

    @operation("network_protection_blacklist_set")
    def blacklist_set(self, id: int, *, networks: Sequence[str]) -> IpFilterList:
        """Blacklist IP addresses."""
        return self._call(
            "network_protection_blacklist_set",
            model=IpFilterList,
            path={"id": id},
            json=body({"networks": networks}),
        )

    @operation("network_protection_blacklist_update")
    def blacklist_update(
        self, id: int, *, networks: Sequence[str] | None = None, active: bool | None = None
    ) -> IpFilterList:
        """Update IP addresses list (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "network_protection_blacklist_update",
            model=IpFilterList,
            path={"id": id},
            json=body({}, networks=networks, active=active),
        )

    @operation("network_protection_blacklist_delete")
    def blacklist_delete(self, id: int) -> Any:
        """Delete all rules (inferred route: `x-unverified` in the reference)."""
        return self._call("network_protection_blacklist_delete", path={"id": id})

    @operation("network_protection_get")
    def get(self, id: int) -> NetworkProtectionInfo:
        """General information."""
        return self._call("network_protection_get", model=NetworkProtectionInfo, path={"id": id})

    @operation("network_protection_bandwidth")
    def bandwidth(self, id: int, *, start: int | None = None, end: int | None = None) -> dict[str, Any]:
        """Bandwidth (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "network_protection_bandwidth",
            path={"id": id},
            query={"filter[start]": start, "filter[end]": end},
        )

    @operation("network_protection_blocked_ips")
    def blocked_ips(self, id: int) -> dict[str, Any]:
        """List blocked IPs (inferred route: `x-unverified` in the reference)."""
        return self._call("network_protection_blocked_ips", path={"id": id})

    @operation("network_protection_attacks_list")
    def attacks_list(
        self,
        id: int,
        *,
        start: int | None = None,
        end: int | None = None,
        per_page: int | None = None,
        page: int | None = None,
    ) -> Page[AttackSummary]:
        """List attacks."""
        return self._page(
            "network_protection_attacks_list",
            AttackSummary,
            path={"id": id},
            query={"filter[start]": start, "filter[end]": end, "per_page": per_page, "page": page},
        )

    def attacks_iter_all(
        self, id: int, *, start: int | None = None, end: int | None = None, per_page: int | None = 50
    ) -> Iterator[AttackSummary]:
        """Every item of `attacks_list`, walking all pages lazily (per_page items at a time)."""
        return self._walk(lambda n: self.attacks_list(id=id, start=start, end=end, per_page=per_page, page=n))

    @operation("network_protection_attack_get")
    def attack_get(self, id: int, attack_id: str) -> Attack:
        """Get an attack."""
        return self._call(
            "network_protection_attack_get", model=Attack, path={"id": id, "attack_id": attack_id}
        )

    @operation("network_protection_attack_bandwidth")
    def attack_bandwidth(self, id: int, attack_id: str) -> dict[str, Any]:
        """Attack bandwidth (inferred route: `x-unverified` in the reference)."""
        return self._call("network_protection_attack_bandwidth", path={"id": id, "attack_id": attack_id})
