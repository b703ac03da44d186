"""`client.servers`: the operations servers_list_plans, servers_list, servers_deploy, servers_status,
servers_get, servers_metrics, servers_bandwidth, servers_start, servers_restart, servers_stop,
servers_power_off, servers_cancel, servers_undo_cancel, servers_change_password,
servers_update_hostname, servers_update_ssh_keys, servers_modify_isos, servers_restore,
servers_reinstall, servers_renew, servers_change_primary_ip, servers_calculate_renew,
servers_set_measured_boot, servers_scale_list_plans, servers_scale, servers_scale_calculate,
servers_addons_list, servers_addons_purchase, servers_addons_scale, servers_addons_scale_calculate,
servers_addons_cancel, servers_addons_undo_cancel, servers_rescue_enable, servers_rescue_disable,
servers_snapshots_create.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

from ..calls import operation
from ..models import (
    AddonScaleCostEstimate,
    Order,
    Plan,
    RenewCostEstimate,
    ScaleCostEstimate,
    Server,
    ServerAddonOffer,
    ServerBandwidth,
    ServerMetrics,
    ServerStatus,
)
from ..results import Page, UnreadPage
from ._base import UNSET, Area, Unset, body

__all__ = ["ServersArea"]


def _list_query(
    page: int | None,
    per_page: int | None,
    ip: str | None,
    search: str | None,
    status: str | None,
    sort_created_at: str | None,
    sort_expiry_at: str | None,
) -> dict[str, Any]:
    return {
        "page": page,
        "per_page": per_page,
        "filter[ip]": ip,
        "filter[search]": search,
        "filter[status]": status,
        "sort[created_at]": sort_created_at,
        "sort[expiry_at]": sort_expiry_at,
    }


class ServersArea(Area):
    """Operations of the `servers` area of the VPSBG API."""

    @operation("servers_list_plans")
    def list_plans(self) -> Page[Plan]:
        """List plans."""
        return self._page("servers_list_plans", Plan)

    @operation("servers_list")
    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        ip: str | None = None,
        search: str | None = None,
        status: str | None = None,
        sort_created_at: str | None = None,
        sort_expiry_at: str | None = None,
    ) -> Page[Server]:
        """List servers."""
        return self._page(
            "servers_list",
            Server,
            query=_list_query(page, per_page, ip, search, status, sort_created_at, sort_expiry_at),
        )

    @operation("servers_list", variant=True)
    def list_unread(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        ip: str | None = None,
        search: str | None = None,
        status: str | None = None,
        sort_created_at: str | None = None,
        sort_expiry_at: str | None = None,
    ) -> UnreadPage[Server]:
        """`list`, with the validation of its answer left to `UnreadPage.read()` (any thread)."""
        return self._unread_page(
            "servers_list",
            Server,
            query=_list_query(page, per_page, ip, search, status, sort_created_at, sort_expiry_at),
        )

    def iter_all(
        self,
        *,
        per_page: int | None = 50,
        ip: str | None = None,
        search: str | None = None,
        status: str | None = None,
        sort_created_at: str | None = None,
        sort_expiry_at: str | None = None,
    ) -> Iterator[Server]:
        """Every item of `list`, walking all pages lazily (per_page items at a time)."""
        return self._walk(
            lambda n: self.list(
                per_page=per_page,
                ip=ip,
                search=search,
                status=status,
                sort_created_at=sort_created_at,
                sort_expiry_at=sort_expiry_at,
                page=n,
            )
        )

    @operation("servers_deploy")
    def deploy(
        self,
        *,
        name: str | Sequence[str],
        plan: str,
        billing_cycle: int,
        image_id: int | None = None,
        snapshot_id: int | None = None,
        backup_id: int | None = None,
        primary_iso_id: int | None = None,
        secondary_iso_id: int | None = None,
        password: str | None = None,
        ssh_keys: Sequence[int] | None = None,
        backups: bool | None = None,
        extra_ipv4: int | None = None,
        extra_ipv4_ddos: int | None = None,
        extra_ipv6: int | None = None,
        cpanel: Literal["cpanel-admin-5", "cpanel-pro-30", "cpanel-plus-50", "cpanel-premier-100"]
        | None = None,
        bandwidth: Literal["100mbps-unmetered", "1gbps-unmetered"] | None = None,
        microsoft_rds_sal: int | None = None,
        microsoft_office_sal: int | None = None,
        promo_code: str | None = None,
    ) -> Order:
        """Deploy new server."""
        return self._call(
            "servers_deploy",
            model=Order,
            json=body(
                {"name": name, "plan": plan, "billing_cycle": billing_cycle},
                image_id=image_id,
                snapshot_id=snapshot_id,
                backup_id=backup_id,
                primary_iso_id=primary_iso_id,
                secondary_iso_id=secondary_iso_id,
                password=password,
                ssh_keys=ssh_keys,
                backups=backups,
                extra_ipv4=extra_ipv4,
                extra_ipv4_ddos=extra_ipv4_ddos,
                extra_ipv6=extra_ipv6,
                cpanel=cpanel,
                bandwidth=bandwidth,
                microsoft_rds_sal=microsoft_rds_sal,
                microsoft_office_sal=microsoft_office_sal,
                promo_code=promo_code,
            ),
        )

    @operation("servers_status")
    def status(self, id: int) -> ServerStatus:
        """Server status."""
        return self._call("servers_status", model=ServerStatus, path={"id": id})

    @operation("servers_get")
    def get(self, id: int, *, include: Sequence[str] | None = None) -> Server:
        """Get a server."""
        return self._call("servers_get", model=Server, path={"id": id}, query={"include[]": include})

    @operation("servers_metrics")
    def metrics(self, id: int, *, month: float | None = None, year: float | None = None) -> ServerMetrics:
        """Server metrics."""
        return self._call(
            "servers_metrics",
            model=ServerMetrics,
            path={"id": id},
            query={"filter[month]": month, "filter[year]": year},
        )

    @operation("servers_bandwidth")
    def bandwidth(self, id: int, *, start: int | None = None, end: int | None = None) -> ServerBandwidth:
        """Bandwidth."""
        return self._call(
            "servers_bandwidth",
            model=ServerBandwidth,
            path={"id": id},
            query={"filter[start]": start, "filter[end]": end},
        )

    @operation("servers_start")
    def start(self, id: int) -> None:
        """Start a server (inferred route: `x-unverified` in the reference)."""
        self._call("servers_start", path={"id": id})

    @operation("servers_restart")
    def restart(self, id: int) -> None:
        """Restart a server (inferred route: `x-unverified` in the reference)."""
        self._call("servers_restart", path={"id": id})

    @operation("servers_stop")
    def stop(self, id: int) -> None:
        """Stop a server (inferred route: `x-unverified` in the reference)."""
        self._call("servers_stop", path={"id": id})

    @operation("servers_power_off")
    def power_off(self, id: int) -> None:
        """Power off (inferred route: `x-unverified` in the reference)."""
        self._call("servers_power_off", path={"id": id})

    @operation("servers_cancel")
    def cancel(self, id: int | str, *, reason: str | None = None, now: bool | None = None) -> None:
        """Cancel server."""
        self._call("servers_cancel", path={"id": id}, json=body({}, reason=reason, now=now))

    @operation("servers_undo_cancel")
    def undo_cancel(self, id: int) -> None:
        """Undo cancel request (inferred route: `x-unverified` in the reference)."""
        self._call("servers_undo_cancel", path={"id": id})

    @operation("servers_change_password")
    def change_password(self, id: int | str, *, password: str, reboot: bool | None = None) -> None:
        """Change password."""
        self._call(
            "servers_change_password", path={"id": id}, json=body({"password": password}, reboot=reboot)
        )

    @operation("servers_update_hostname")
    def update_hostname(self, id: int, *, hostname: str) -> Server:
        """Update hostname (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "servers_update_hostname", model=Server, path={"id": id}, json=body({"hostname": hostname})
        )

    @operation("servers_update_ssh_keys")
    def update_ssh_keys(self, id: int, *, ssh_keys: Sequence[int] | None = None) -> Any:
        """Update SSH Keys (inferred route: `x-unverified` in the reference)."""
        return self._call("servers_update_ssh_keys", path={"id": id}, json=body({}, ssh_keys=ssh_keys))

    @operation("servers_modify_isos")
    def modify_isos(
        self,
        id: int,
        *,
        primary_iso_id: int | Unset | None = UNSET,
        secondary_iso_id: int | Unset | None = UNSET,
    ) -> Any:
        """Mount or unmount ISOs (inferred route: `x-unverified` in the reference).

        Unlike elsewhere, `None` is sent (as null: unmount that drive); leave an argument out to
        keep that drive as it is.
        """
        fields = {"primary_iso_id": primary_iso_id, "secondary_iso_id": secondary_iso_id}
        return self._call(
            "servers_modify_isos", path={"id": id}, json={k: v for k, v in fields.items() if v is not UNSET}
        )

    @operation("servers_restore")
    def restore(self, id: int, *, snapshot_id: int | None = None, backup_id: int | None = None) -> Any:
        """Restore (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "servers_restore", path={"id": id}, json=body({}, snapshot_id=snapshot_id, backup_id=backup_id)
        )

    @operation("servers_reinstall")
    def reinstall(
        self,
        id: int,
        *,
        image_id: int | None = None,
        password: str | None = None,
        ssh_keys: Sequence[int] | None = None,
    ) -> Any:
        """Reinstall Server (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "servers_reinstall",
            path={"id": id},
            json=body({}, image_id=image_id, password=password, ssh_keys=ssh_keys),
        )

    @operation("servers_renew")
    def renew(self, *, server_ids: Sequence[int], billing_cycle: int, promo_code: str | None = None) -> Order:
        """Renew server (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "servers_renew",
            model=Order,
            json=body({"server_ids": server_ids, "billing_cycle": billing_cycle}, promo_code=promo_code),
        )

    @operation("servers_change_primary_ip")
    def change_primary_ip(self, id: int, *, ip_id: int) -> Server:
        """Change Primary IP."""
        return self._call(
            "servers_change_primary_ip", model=Server, path={"id": id}, json=body({"ip_id": ip_id})
        )

    @operation("servers_calculate_renew")
    def calculate_renew(
        self, *, server_ids: Sequence[int], billing_cycle: int, promo_code: str | None = None
    ) -> RenewCostEstimate:
        """Calculate renew amount."""
        return self._call(
            "servers_calculate_renew",
            model=RenewCostEstimate,
            json=body({"server_ids": server_ids, "billing_cycle": billing_cycle}, promo_code=promo_code),
        )

    @operation("servers_set_measured_boot")
    def set_measured_boot(self, id: int, *, kernel_image_id: int | None) -> Server:
        """Set server measured boot image (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "servers_set_measured_boot",
            model=Server,
            path={"id": id},
            json=body({"kernel_image_id": kernel_image_id}),
        )

    @operation("servers_scale_list_plans")
    def scale_list_plans(self, id: int) -> Page[Plan]:
        """List plans (inferred route: `x-unverified` in the reference)."""
        return self._page("servers_scale_list_plans", Plan, path={"id": id})

    @operation("servers_scale")
    def scale(self, id: int, *, plan: str, scale_disk: bool) -> Any:
        """Scale a server (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "servers_scale", path={"id": id}, json=body({"plan": plan, "scale_disk": scale_disk})
        )

    @operation("servers_scale_calculate")
    def scale_calculate(self, id: int, *, plan: str, scale_disk: bool) -> ScaleCostEstimate:
        """Calculate scale cost."""
        return self._call(
            "servers_scale_calculate",
            model=ScaleCostEstimate,
            path={"id": id},
            json=body({"plan": plan, "scale_disk": scale_disk}),
        )

    @operation("servers_addons_list")
    def addons_list(self, server_id: int | str) -> Page[ServerAddonOffer]:
        """List available addons."""
        return self._page("servers_addons_list", ServerAddonOffer, path={"server_id": server_id})

    @operation("servers_addons_purchase")
    def addons_purchase(
        self,
        server_id: int | str,
        *,
        backups: bool | None = None,
        cpanel: Literal["cpanel-admin-5", "cpanel-pro-30", "cpanel-plus-50", "cpanel-premier-100"]
        | None = None,
        bandwidth: Literal["100mbps-unmetered", "1gbps-unmetered"] | None = None,
        microsoft_rds_sal: int | None = None,
        microsoft_office_sal: int | None = None,
    ) -> Server:
        """Purchase new addons."""
        return self._call(
            "servers_addons_purchase",
            model=Server,
            path={"server_id": server_id},
            json=body(
                {},
                backups=backups,
                cpanel=cpanel,
                bandwidth=bandwidth,
                microsoft_rds_sal=microsoft_rds_sal,
                microsoft_office_sal=microsoft_office_sal,
            ),
        )

    @operation("servers_addons_scale")
    def addons_scale(
        self,
        server_id: int | str,
        *,
        cpanel: str | None = None,
        microsoft_rds_sal: int | None = None,
        microsoft_office_sal: int | None = None,
    ) -> Any:
        """Scale addons (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "servers_addons_scale",
            path={"server_id": server_id},
            json=body(
                {},
                cpanel=cpanel,
                microsoft_rds_sal=microsoft_rds_sal,
                microsoft_office_sal=microsoft_office_sal,
            ),
        )

    @operation("servers_addons_scale_calculate")
    def addons_scale_calculate(
        self,
        server_id: int,
        *,
        microsoft_rds_sal: int,
        cpanel: str | None = None,
        microsoft_office_sal: int | None = None,
    ) -> AddonScaleCostEstimate:
        """Calculate scale cost."""
        return self._call(
            "servers_addons_scale_calculate",
            model=AddonScaleCostEstimate,
            path={"server_id": server_id},
            json=body(
                {"microsoft_rds_sal": microsoft_rds_sal},
                cpanel=cpanel,
                microsoft_office_sal=microsoft_office_sal,
            ),
        )

    @operation("servers_addons_cancel")
    def addons_cancel(self, server_id: int, server_addon_id: int, *, reason: str, now: bool) -> None:
        """Cancel addon."""
        self._call(
            "servers_addons_cancel",
            path={"server_id": server_id, "server_addon_id": server_addon_id},
            json=body({"reason": reason, "now": now}),
        )

    @operation("servers_addons_undo_cancel")
    def addons_undo_cancel(self, server_id: int, server_addon_id: int) -> None:
        """Undo cancel request (inferred route: `x-unverified` in the reference)."""
        self._call(
            "servers_addons_undo_cancel", path={"server_id": server_id, "server_addon_id": server_addon_id}
        )

    @operation("servers_rescue_enable")
    def rescue_enable(self, id: int) -> Any:
        """Enable rescue mode (inferred route: `x-unverified` in the reference)."""
        return self._call("servers_rescue_enable", path={"id": id})

    @operation("servers_rescue_disable")
    def rescue_disable(self, id: int) -> Any:
        """Disable rescue mode (inferred route: `x-unverified` in the reference)."""
        return self._call("servers_rescue_disable", path={"id": id})

    @operation("servers_snapshots_create")
    def snapshots_create(self, id: int, *, name: str | None = None) -> Any:
        """Create snapshot (not documented) (inferred route: `x-unverified` in the reference)."""
        return self._call("servers_snapshots_create", path={"id": id}, json=body({}, name=name))
