"""One module per area of the VPSBG API (`client.servers` is a `ServersArea`, ...)."""

from __future__ import annotations

from ._base import Area
from .affiliate import AffiliateArea
from .backups import BackupsArea
from .balance import BalanceArea
from .floating_ips import FloatingIpsArea
from .invoices import InvoicesArea
from .ip_addresses import IpAddressesArea
from .isos import IsosArea
from .measured_boot import MeasuredBootArea
from .network_protection import NetworkProtectionArea
from .orders import OrdersArea
from .plans import PlansArea
from .server_images import ServerImagesArea
from .servers import ServersArea
from .snapshots import SnapshotsArea
from .ssh_keys import SshKeysArea
from .support import SupportArea
from .support_plans import SupportPlansArea
from .user import UserArea

AREAS: dict[str, type[Area]] = {
    "affiliate": AffiliateArea,
    "backups": BackupsArea,
    "balance": BalanceArea,
    "floating_ips": FloatingIpsArea,
    "invoices": InvoicesArea,
    "ip_addresses": IpAddressesArea,
    "isos": IsosArea,
    "measured_boot": MeasuredBootArea,
    "network_protection": NetworkProtectionArea,
    "orders": OrdersArea,
    "plans": PlansArea,
    "server_images": ServerImagesArea,
    "servers": ServersArea,
    "snapshots": SnapshotsArea,
    "ssh_keys": SshKeysArea,
    "support": SupportArea,
    "support_plans": SupportPlansArea,
    "user": UserArea,
}
"""Attribute name on the client -> area class."""

for _name, _area in AREAS.items():
    # each operation method learns where it lives on a client (`vpsbg_api.calls.call` reads it)
    for _method in vars(_area).values():
        if getattr(_method, "operation_id", None):
            _method.area = _name

__all__ = [
    "AREAS",
    "AffiliateArea",
    "BackupsArea",
    "BalanceArea",
    "FloatingIpsArea",
    "InvoicesArea",
    "IpAddressesArea",
    "IsosArea",
    "MeasuredBootArea",
    "NetworkProtectionArea",
    "OrdersArea",
    "PlansArea",
    "ServerImagesArea",
    "ServersArea",
    "SnapshotsArea",
    "SshKeysArea",
    "SupportArea",
    "SupportPlansArea",
    "UserArea",
]
