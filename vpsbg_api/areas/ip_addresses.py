"""`client.ip_addresses`: the operations ip_addresses_update."""

from __future__ import annotations

from collections.abc import Mapping

from ..calls import operation
from ..models import IpAddress
from ._base import Area, body

__all__ = ["IpAddressesArea"]


class IpAddressesArea(Area):
    """Operations of the `ip_addresses` area of the VPSBG API."""

    @operation("ip_addresses_update")
    def update(self, id: int | str, *, ptr: str | Mapping[str, str]) -> IpAddress:
        """Update IP address."""
        return self._call("ip_addresses_update", model=IpAddress, path={"id": id}, json=body({"ptr": ptr}))
