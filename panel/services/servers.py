"""Servers: list, details, power, rescue, reinstall, scale, addons, renewals, snapshots.

One service per VPSBG operation, each a thin typed wrapper over `execution.execute` (authorize,
choose the token, call, map errors, audit). Object arguments are `"<account>:<id>"` references;
`account` picks the VPSBG account when the team has several (optional when it has one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

from vpsbg_api.areas import ServersArea
from vpsbg_api.areas._base import UNSET, Unset
from vpsbg_api.calls import call
from vpsbg_api.models import (
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
from vpsbg_api.results import Page

from .context import ActorLike, ServerRef, parse_server_ref
from .execution import execute
from .helpers import in_scope, require_list
from .registry import service

__all__ = [
    "servers_addons_cancel",
    "servers_addons_list",
    "servers_addons_purchase",
    "servers_addons_scale",
    "servers_addons_scale_calculate",
    "servers_addons_undo_cancel",
    "servers_bandwidth",
    "servers_calculate_renew",
    "servers_cancel",
    "servers_change_password",
    "servers_change_primary_ip",
    "servers_deploy",
    "servers_get",
    "servers_list",
    "servers_list_plans",
    "servers_metrics",
    "servers_modify_isos",
    "servers_power_off",
    "servers_reinstall",
    "servers_renew",
    "servers_rescue_disable",
    "servers_rescue_enable",
    "servers_restart",
    "servers_restore",
    "servers_scale",
    "servers_scale_calculate",
    "servers_scale_list_plans",
    "servers_set_measured_boot",
    "servers_snapshots_create",
    "servers_start",
    "servers_status",
    "servers_stop",
    "servers_undo_cancel",
    "servers_update_hostname",
    "servers_update_ssh_keys",
]

R = TypeVar("R")


def _on_server(
    method: Callable[..., R],
    actor: ActorLike,
    server: ServerRef | str,
    *,
    reason: str = "",
    id_name: str = "id",
    **kwargs: Any,
) -> R:
    """One VPSBG call about one server: it is the audit target, and its id goes in the path as `id_name`.

    `method` is the client's (`ServersArea.get`), called with the server's id and `kwargs`.

    The services stay one explicit function each (the panel API builds its request forms from their
    signatures); what they share is this body.
    """
    ref = parse_server_ref(server)
    return execute(
        call(method, **{id_name: ref.server_id}, **kwargs),
        actor=actor,
        target=ref,
        target_type="server",
        reason=reason,
    )


@service("servers_list_plans")
def servers_list_plans(*, actor: ActorLike, account: str | None = None) -> Page[Plan]:
    """List plans.

    Read: `servers_list_plans`, GET /plans.
    """
    return execute(call(ServersArea.list_plans), actor=actor, account=account)


@service("servers_list")
def servers_list(
    *,
    actor: ActorLike,
    page: int | None = None,
    per_page: int | None = None,
    ip: str | None = None,
    search: str | None = None,
    status: str | None = None,
    sort_created_at: str | None = None,
    sort_expiry_at: str | None = None,
    account: str | None = None,
) -> Page[Server]:
    """List servers.

    Read: `servers_list`, GET /servers.
    """
    return execute(
        call(
            ServersArea.list,
            page=page,
            per_page=per_page,
            ip=ip,
            search=search,
            status=status,
            sort_created_at=sort_created_at,
            sort_expiry_at=sort_expiry_at,
        ),
        actor=actor,
        account=account,
        postprocess=in_scope(actor),
    )


@service("servers_deploy")
def servers_deploy(
    *,
    actor: ActorLike,
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
    cpanel: Literal["cpanel-admin-5", "cpanel-pro-30", "cpanel-plus-50", "cpanel-premier-100"] | None = None,
    bandwidth: Literal["100mbps-unmetered", "1gbps-unmetered"] | None = None,
    microsoft_rds_sal: int | None = None,
    microsoft_office_sal: int | None = None,
    promo_code: str | None = None,
    account: str | None = None,
    reason: str = "",
) -> Order:
    """Deploy new server.

    Audited write: `servers_deploy`, POST /servers.
    """
    return execute(
        call(
            ServersArea.deploy,
            name=name,
            plan=plan,
            billing_cycle=billing_cycle,
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
        actor=actor,
        account=account,
        reason=reason,
    )


@service("servers_status")
def servers_status(*, actor: ActorLike, server: ServerRef | str) -> ServerStatus:
    """Server status.

    Read: `servers_status`, GET /servers/{id}/status.
    """
    return _on_server(ServersArea.status, actor, server)


@service("servers_get")
def servers_get(*, actor: ActorLike, server: ServerRef | str, include: Sequence[str] | None = None) -> Server:
    """Get a server.

    Read: `servers_get`, GET /servers/{id}.
    """
    return _on_server(ServersArea.get, actor, server, include=include)


@service("servers_metrics")
def servers_metrics(
    *, actor: ActorLike, server: ServerRef | str, month: float | None = None, year: float | None = None
) -> ServerMetrics:
    """Server metrics.

    Read: `servers_metrics`, GET /servers/{id}/metrics.
    """
    return _on_server(ServersArea.metrics, actor, server, month=month, year=year)


@service("servers_bandwidth")
def servers_bandwidth(
    *, actor: ActorLike, server: ServerRef | str, start: int | None = None, end: int | None = None
) -> ServerBandwidth:
    """Bandwidth.

    Read: `servers_bandwidth`, GET /servers/{id}/bandwidth.
    """
    return _on_server(ServersArea.bandwidth, actor, server, start=start, end=end)


@service("servers_start")
def servers_start(*, actor: ActorLike, server: ServerRef | str, reason: str = "") -> None:
    """Start a server.

    Audited write: `servers_start` (the route is inferred in the reference).
    """
    _on_server(ServersArea.start, actor, server, reason=reason)


@service("servers_restart")
def servers_restart(*, actor: ActorLike, server: ServerRef | str, reason: str = "") -> None:
    """Restart a server (graceful).

    Audited write: `servers_restart` (the route is inferred in the reference).
    """
    _on_server(ServersArea.restart, actor, server, reason=reason)


@service("servers_stop")
def servers_stop(*, actor: ActorLike, server: ServerRef | str, reason: str = "") -> None:
    """Stop a server (graceful shutdown).

    Audited write: `servers_stop` (the route is inferred in the reference).
    """
    _on_server(ServersArea.stop, actor, server, reason=reason)


@service("servers_power_off")
def servers_power_off(*, actor: ActorLike, server: ServerRef | str, reason: str = "") -> None:
    """Power a server off (hard).

    Audited write: `servers_power_off` (the route is inferred in the reference).
    """
    _on_server(ServersArea.power_off, actor, server, reason=reason)


@service("servers_cancel")
def servers_cancel(
    *, actor: ActorLike, server: ServerRef | str, reason: str | None = None, now: bool | None = None
) -> None:
    """Cancel server.

    Audited write: `servers_cancel`, POST /servers/{id}/cancel.
    """
    ref = parse_server_ref(server)
    execute(
        call(ServersArea.cancel, id=ref.server_id, reason=reason, now=now),
        actor=actor,
        target=ref,
        target_type="server",
        reason=reason or "",
    )


@service("servers_undo_cancel")
def servers_undo_cancel(*, actor: ActorLike, server: ServerRef | str, reason: str = "") -> None:
    """Withdraw a cancellation request.

    Audited write: `servers_undo_cancel` (the route is inferred in the reference).
    """
    _on_server(ServersArea.undo_cancel, actor, server, reason=reason)


@service("servers_change_password")
def servers_change_password(
    *, actor: ActorLike, server: ServerRef | str, password: str, reboot: bool | None = None, reason: str = ""
) -> None:
    """Change password.

    Audited write: `servers_change_password`, PUT /servers/{id}/password.
    """
    ref = parse_server_ref(server)
    execute(
        call(ServersArea.change_password, id=ref.server_id, password=password, reboot=reboot),
        actor=actor,
        target=ref,
        target_type="server",
        reason=reason,
    )


@service("servers_update_hostname")
def servers_update_hostname(
    *, actor: ActorLike, server: ServerRef | str, hostname: str, reason: str = ""
) -> Server:
    """Update hostname.

    Audited write: `servers_update_hostname`, PUT /servers/{id}/hostname.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(ServersArea.update_hostname, actor, server, reason=reason, hostname=hostname)


@service("servers_update_ssh_keys")
def servers_update_ssh_keys(
    *, actor: ActorLike, server: ServerRef | str, ssh_keys: Sequence[int] | None = None, reason: str = ""
) -> Any:
    """Update SSH Keys.

    Audited write: `servers_update_ssh_keys`, PATCH /servers/{id}/ssh-keys.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(ServersArea.update_ssh_keys, actor, server, reason=reason, ssh_keys=ssh_keys)


@service("servers_modify_isos")
def servers_modify_isos(
    *,
    actor: ActorLike,
    server: ServerRef | str,
    primary_iso_id: int | Unset | None = UNSET,
    secondary_iso_id: int | Unset | None = UNSET,
    reason: str = "",
) -> Any:
    """Modify ISOs.

    Audited write: `servers_modify_isos`, POST /servers/{id}/isos.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(
        ServersArea.modify_isos,
        actor,
        server,
        reason=reason,
        primary_iso_id=primary_iso_id,
        secondary_iso_id=secondary_iso_id,
    )


@service("servers_restore")
def servers_restore(
    *,
    actor: ActorLike,
    server: ServerRef | str,
    snapshot_id: int | None = None,
    backup_id: int | None = None,
    reason: str = "",
) -> Any:
    """Restore.

    Audited write: `servers_restore`, POST /servers/{id}/restore.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(
        ServersArea.restore,
        actor,
        server,
        reason=reason,
        snapshot_id=snapshot_id,
        backup_id=backup_id,
    )


@service("servers_reinstall")
def servers_reinstall(
    *,
    actor: ActorLike,
    server: ServerRef | str,
    image_id: int | None = None,
    password: str | None = None,
    ssh_keys: Sequence[int] | None = None,
    reason: str = "",
) -> Any:
    """Reinstall Server.

    Audited write: `servers_reinstall`, POST /servers/{id}/reinstall.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(
        ServersArea.reinstall,
        actor,
        server,
        reason=reason,
        image_id=image_id,
        password=password,
        ssh_keys=ssh_keys,
    )


@service("servers_renew")
def servers_renew(
    *,
    actor: ActorLike,
    servers: Sequence[ServerRef | str],
    billing_cycle: int,
    promo_code: str | None = None,
    account: str | None = None,
    reason: str = "",
) -> Order:
    """Renew server.

    Audited write: `servers_renew`, POST /servers/renew.
    The route is inferred (`x-unverified` in the reference).
    """
    refs = tuple(parse_server_ref(s) for s in require_list(servers, "servers"))
    return execute(
        call(
            ServersArea.renew,
            server_ids=[r.server_id for r in refs],
            billing_cycle=billing_cycle,
            promo_code=promo_code,
        ),
        actor=actor,
        account=account,
        servers=refs,
        reason=reason,
    )


@service("servers_change_primary_ip")
def servers_change_primary_ip(
    *, actor: ActorLike, server: ServerRef | str, ip_id: int, reason: str = ""
) -> Server:
    """Change Primary IP.

    Audited write: `servers_change_primary_ip`, POST /servers/{id}/primary-ip.
    """
    return _on_server(ServersArea.change_primary_ip, actor, server, reason=reason, ip_id=ip_id)


@service("servers_calculate_renew")
def servers_calculate_renew(
    *,
    actor: ActorLike,
    servers: Sequence[ServerRef | str],
    billing_cycle: int,
    promo_code: str | None = None,
    account: str | None = None,
    reason: str = "",
) -> RenewCostEstimate:
    """Calculate renew amount.

    Read: `servers_calculate_renew`, POST /servers/renew/calculate.
    """
    refs = tuple(parse_server_ref(s) for s in require_list(servers, "servers"))
    return execute(
        call(
            ServersArea.calculate_renew,
            server_ids=[r.server_id for r in refs],
            billing_cycle=billing_cycle,
            promo_code=promo_code,
        ),
        actor=actor,
        account=account,
        servers=refs,
        reason=reason,
    )


@service("servers_set_measured_boot")
def servers_set_measured_boot(
    *, actor: ActorLike, server: ServerRef | str, kernel_image_id: int | None, reason: str = ""
) -> Server:
    """Set server measured boot image.

    Audited write: `servers_set_measured_boot`, POST /servers/{id}/measured-boot.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(
        ServersArea.set_measured_boot,
        actor,
        server,
        reason=reason,
        kernel_image_id=kernel_image_id,
    )


@service("servers_scale_list_plans")
def servers_scale_list_plans(*, actor: ActorLike, server: ServerRef | str) -> Page[Plan]:
    """List plans.

    Read: `servers_scale_list_plans`, GET /servers/{id}/scale.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(ServersArea.scale_list_plans, actor, server)


@service("servers_scale")
def servers_scale(
    *, actor: ActorLike, server: ServerRef | str, plan: str, scale_disk: bool, reason: str = ""
) -> Any:
    """Scale a server.

    Audited write: `servers_scale`, POST /servers/{id}/scale.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(ServersArea.scale, actor, server, reason=reason, plan=plan, scale_disk=scale_disk)


@service("servers_scale_calculate")
def servers_scale_calculate(
    *, actor: ActorLike, server: ServerRef | str, plan: str, scale_disk: bool, reason: str = ""
) -> ScaleCostEstimate:
    """Calculate scale cost.

    Read: `servers_scale_calculate`, POST /servers/{id}/scale/calculate.
    """
    return _on_server(
        ServersArea.scale_calculate,
        actor,
        server,
        reason=reason,
        plan=plan,
        scale_disk=scale_disk,
    )


@service("servers_addons_list")
def servers_addons_list(*, actor: ActorLike, server: ServerRef | str) -> Page[ServerAddonOffer]:
    """List available addons.

    Read: `servers_addons_list`, GET /servers/{server_id}/addons.
    """
    return _on_server(ServersArea.addons_list, actor, server, id_name="server_id")


@service("servers_addons_purchase")
def servers_addons_purchase(
    *,
    actor: ActorLike,
    server: ServerRef | str,
    backups: bool | None = None,
    cpanel: Literal["cpanel-admin-5", "cpanel-pro-30", "cpanel-plus-50", "cpanel-premier-100"] | None = None,
    bandwidth: Literal["100mbps-unmetered", "1gbps-unmetered"] | None = None,
    microsoft_rds_sal: int | None = None,
    microsoft_office_sal: int | None = None,
    reason: str = "",
) -> Server:
    """Purchase new addons.

    Audited write: `servers_addons_purchase`, POST /servers/{server_id}/addons.
    """
    return _on_server(
        ServersArea.addons_purchase,
        actor,
        server,
        id_name="server_id",
        reason=reason,
        backups=backups,
        cpanel=cpanel,
        bandwidth=bandwidth,
        microsoft_rds_sal=microsoft_rds_sal,
        microsoft_office_sal=microsoft_office_sal,
    )


@service("servers_addons_scale")
def servers_addons_scale(
    *,
    actor: ActorLike,
    server: ServerRef | str,
    cpanel: str | None = None,
    microsoft_rds_sal: int | None = None,
    microsoft_office_sal: int | None = None,
    reason: str = "",
) -> Any:
    """Scale addons.

    Audited write: `servers_addons_scale`, PATCH /servers/{server_id}/addons.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(
        ServersArea.addons_scale,
        actor,
        server,
        id_name="server_id",
        reason=reason,
        cpanel=cpanel,
        microsoft_rds_sal=microsoft_rds_sal,
        microsoft_office_sal=microsoft_office_sal,
    )


@service("servers_addons_scale_calculate")
def servers_addons_scale_calculate(
    *,
    actor: ActorLike,
    server: ServerRef | str,
    microsoft_rds_sal: int,
    cpanel: str | None = None,
    microsoft_office_sal: int | None = None,
    reason: str = "",
) -> AddonScaleCostEstimate:
    """Calculate scale cost.

    Read: `servers_addons_scale_calculate`, POST /servers/{server_id}/addons/scale/calculate.
    """
    return _on_server(
        ServersArea.addons_scale_calculate,
        actor,
        server,
        id_name="server_id",
        reason=reason,
        microsoft_rds_sal=microsoft_rds_sal,
        cpanel=cpanel,
        microsoft_office_sal=microsoft_office_sal,
    )


@service("servers_addons_cancel")
def servers_addons_cancel(
    *, actor: ActorLike, server: ServerRef | str, server_addon_id: int, reason: str, now: bool
) -> None:
    """Cancel addon.

    Audited write: `servers_addons_cancel`, POST /servers/{server_id}/addons/{server_addon_id}.
    """
    ref = parse_server_ref(server)
    execute(
        call(
            ServersArea.addons_cancel,
            server_id=ref.server_id,
            server_addon_id=server_addon_id,
            reason=reason,
            now=now,
        ),
        actor=actor,
        target=ref,
        target_type="server",
        reason=reason or "",
    )


@service("servers_addons_undo_cancel")
def servers_addons_undo_cancel(
    *, actor: ActorLike, server: ServerRef | str, server_addon_id: int, reason: str = ""
) -> None:
    """Undo cancel request.

    Audited write: `servers_addons_undo_cancel`, DELETE /servers/{server_id}/addons/{server_addon_id}.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = parse_server_ref(server)
    execute(
        call(ServersArea.addons_undo_cancel, server_id=ref.server_id, server_addon_id=server_addon_id),
        actor=actor,
        target=ref,
        target_type="server",
        reason=reason,
    )


@service("servers_rescue_enable")
def servers_rescue_enable(*, actor: ActorLike, server: ServerRef | str, reason: str = "") -> Any:
    """Enable rescue mode.

    Audited write: `servers_rescue_enable`, POST /servers/{id}/rescue.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(ServersArea.rescue_enable, actor, server, reason=reason)


@service("servers_rescue_disable")
def servers_rescue_disable(*, actor: ActorLike, server: ServerRef | str, reason: str = "") -> Any:
    """Disable rescue mode.

    Audited write: `servers_rescue_disable`, DELETE /servers/{id}/rescue.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(ServersArea.rescue_disable, actor, server, reason=reason)


@service("servers_snapshots_create")
def servers_snapshots_create(
    *, actor: ActorLike, server: ServerRef | str, name: str | None = None, reason: str = ""
) -> Any:
    """Create snapshot (not documented).

    Audited write: `servers_snapshots_create`, POST /servers/{id}/snapshots.
    The route is inferred (`x-unverified` in the reference).
    """
    return _on_server(ServersArea.snapshots_create, actor, server, reason=reason, name=name)
