"""Addresses and their protection: floating IPs, reverse DNS, DDoS network protection.

One service per VPSBG operation, each a thin typed wrapper over `execution.execute` (authorize,
choose the token, call, map errors, audit). Object arguments are `"<account>:<id>"` references;
`account` picks the VPSBG account when the team has several (optional when it has one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from panel.core.errors import InvalidInput, NotFoundError
from vpsbg_api.areas import FloatingIpsArea, IpAddressesArea, NetworkProtectionArea
from vpsbg_api.calls import call
from vpsbg_api.models import (
    Attack,
    AttackSummary,
    FloatingIp,
    FloatingIpPlan,
    GeoFilter,
    IpAddress,
    IpFilterList,
    NetworkProtectionInfo,
)
from vpsbg_api.results import Page

from . import cache
from .context import ActorLike, Ref, ServerRef, as_actor, parse_ref, parse_server_ref
from .execution import execute
from .helpers import on_object
from .registry import service
from .servers import servers_get

__all__ = [
    "floating_ips_attach",
    "floating_ips_cancel",
    "floating_ips_cancel_undo",
    "floating_ips_detach",
    "floating_ips_list",
    "floating_ips_plans",
    "floating_ips_purchase",
    "ip_addresses_update",
    "network_protection_attack_bandwidth",
    "network_protection_attack_get",
    "network_protection_attacks_list",
    "network_protection_bandwidth",
    "network_protection_blacklist_delete",
    "network_protection_blacklist_get",
    "network_protection_blacklist_set",
    "network_protection_blacklist_update",
    "network_protection_blocked_ips",
    "network_protection_geo_delete",
    "network_protection_geo_get",
    "network_protection_geo_set",
    "network_protection_geo_update",
    "network_protection_get",
    "network_protection_whitelist_delete",
    "network_protection_whitelist_get",
    "network_protection_whitelist_set",
    "network_protection_whitelist_update",
]


@service("floating_ips_list")
def floating_ips_list(
    *,
    actor: ActorLike,
    page: int | None = None,
    per_page: int | None = None,
    ip: str | None = None,
    search: str | None = None,
    status: str | None = None,
    ddos: bool | None = None,
    account: str | None = None,
) -> Page[FloatingIp]:
    """List Floating IPs.

    Read: `floating_ips_list`, GET /floating-ips.
    """
    return execute(
        call(
            FloatingIpsArea.list,
            page=page,
            per_page=per_page,
            ip=ip,
            search=search,
            status=status,
            ddos=ddos,
        ),
        actor=actor,
        account=account,
    )


@service("floating_ips_purchase")
def floating_ips_purchase(
    *,
    actor: ActorLike,
    billing_cycle: int | None = None,
    ipv4: int | None = None,
    ipv4_ddos: int | None = None,
    ipv6: int | None = None,
    server: ServerRef | str | None = None,
    account: str | None = None,
    reason: str = "",
) -> list[FloatingIp]:
    """Purchase Floating IPs.

    Audited write: `floating_ips_purchase`, POST /floating-ips.
    """
    ref = parse_server_ref(server) if server is not None else None
    return execute(
        call(
            FloatingIpsArea.purchase,
            billing_cycle=billing_cycle,
            ipv4=ipv4,
            ipv4_ddos=ipv4_ddos,
            ipv6=ipv6,
            server_id=ref.server_id if ref is not None else None,
        ),
        actor=actor,
        account=ref.account_id if ref is not None else account,
        servers=(ref,) if ref is not None else (),
        reason=reason,
    )


@service("floating_ips_cancel")
def floating_ips_cancel(
    *, actor: ActorLike, ids: Sequence[int], now: bool, reason: str | None = None, account: str | None = None
) -> dict[str, Any]:
    """Cancel Floating IP.

    Audited write: `floating_ips_cancel`, POST /floating-ips/cancel.
    """
    return execute(
        call(FloatingIpsArea.cancel, ids=ids, now=now, reason=reason),
        actor=actor,
        account=account,
        reason=reason or "",
    )


@service("floating_ips_cancel_undo")
def floating_ips_cancel_undo(
    *, actor: ActorLike, ids: Sequence[int] | None = None, account: str | None = None, reason: str = ""
) -> Any:
    """Delete Floating IP Cancellation.

    Audited write: `floating_ips_cancel_undo`, DELETE /floating-ips/cancel.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(FloatingIpsArea.cancel_undo, ids=ids), actor=actor, account=account, reason=reason)


@service("ip_addresses_update")
def ip_addresses_update(
    *,
    actor: ActorLike,
    ip_address: Ref | str,
    ptr: str | Mapping[str, str],
    server: ServerRef | str | None = None,
    reason: str = "",
) -> IpAddress:
    """Update IP address.

    Audited write: `ip_addresses_update`, PATCH /ip-addresses/{id}.

    The address is embedded in its server (and in its protection's overview), whose cached reads
    would show the old PTR: they are dropped here. `server` names the owner when the caller knows
    it (checked: the address must be one of that server's), which also lets a member limited to
    chosen servers set the PTR of their own servers' addresses. Without it the owner is unknown
    (the reference's IpAddress does not name its server), so the account's cached reads go.
    """
    ref = parse_ref(ip_address, "ip address", numeric=False)
    owner = parse_server_ref(server) if server is not None else None
    if owner is not None:
        _check_owner(actor, ref, owner)
    try:
        return execute(
            call(IpAddressesArea.update, id=ref.id, ptr=ptr),
            actor=actor,
            target=ref,
            target_type="ip_address",
            servers=(owner,) if owner is not None else (),
            reason=reason,
        )
    finally:  # even after a failure: the change may have been made
        _forget_embedding_reads(ref, owner)


def _check_owner(actor: ActorLike, ref: Ref, owner: ServerRef) -> None:
    """Refuse an address that is not one of `owner`'s (a 404 when the member may not see it)."""
    if owner.account_id != ref.account_id:
        raise InvalidInput(fields={"ptr": "This address does not belong to the server."})
    found = servers_get(actor=actor, server=owner)
    if not any(str(ip.id) == ref.id for ip in found.ip_addresses or []):
        raise InvalidInput(fields={"ptr": "This address does not belong to the server."})


def _forget_embedding_reads(ref: Ref, owner: ServerRef | None) -> None:
    """Drop the cached reads that embed the address: its server's, and its protection overview."""
    if owner is None:
        cache.bump(ref.account_id, None)
        return
    cache.bump(ref.account_id, f"server:{owner.id}")
    cache.bump(ref.account_id, f"network_protection:{ref.id}")


@service("floating_ips_plans")
def floating_ips_plans(*, actor: ActorLike, account: str | None = None) -> Page[FloatingIpPlan]:
    """Plans.

    Read: `floating_ips_plans`, GET /floating-ips/plans.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(FloatingIpsArea.plans), actor=actor, account=account)


@service("floating_ips_attach")
def floating_ips_attach(
    *,
    actor: ActorLike,
    ids: Sequence[int] | None = None,
    server: ServerRef | str | None = None,
    account: str | None = None,
    reason: str = "",
) -> Any:
    """Attach Floating IP.

    Audited write: `floating_ips_attach`, POST /floating-ips/attach.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = parse_server_ref(server) if server is not None else None
    return execute(
        call(FloatingIpsArea.attach, ids=ids, server_id=ref.server_id if ref is not None else None),
        actor=actor,
        account=ref.account_id if ref is not None else account,
        servers=(ref,) if ref is not None else (),
        reason=reason,
    )


@service("floating_ips_detach")
def floating_ips_detach(
    *, actor: ActorLike, ids: Sequence[int] | None = None, account: str | None = None, reason: str = ""
) -> Any:
    """Detach Floating IP.

    Audited write: `floating_ips_detach`, POST /floating-ips/detach.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(FloatingIpsArea.detach, ids=ids), actor=actor, account=account, reason=reason)


PROTECTION = "network protection"  # what an address under protection is called in messages and audit


def _visible_protection(actor: ActorLike, protected_ip: Ref | str) -> Ref:
    """The protected address, refused (as missing) to a member limited to servers it is not on.

    The reference's protection has no server field, so the member's own servers in that account
    are read (cached) and the address must be one of theirs; writes need no such check, as the
    services refuse limited members every account-wide write.
    """
    ref = parse_ref(protected_ip, PROTECTION)
    who = as_actor(actor)
    if not who.is_server_limited:
        return ref
    for scoped in who.membership.server_scope:
        account, _, server_id = str(scoped).rpartition(":")
        if account != ref.account_id:
            continue
        try:
            server = servers_get(actor=who, server=ServerRef(account, server_id))
        except NotFoundError:
            continue
        if any(str(ip.id) == ref.id for ip in server.ip_addresses or []):
            return ref
    raise NotFoundError(f"No such protected address: {ref}.")


@service("network_protection_geo_get")
def network_protection_geo_get(*, actor: ActorLike, protected_ip: Ref | str) -> GeoFilter:
    """Get current geo filter.

    Read: `network_protection_geo_get`, GET /network-protection/{id}/geo.
    """
    ref = _visible_protection(actor, protected_ip)
    return execute(
        call(NetworkProtectionArea.geo_get, id=ref.int_id),
        actor=actor,
        target=ref,
        target_type="network_protection",
    )


@service("network_protection_geo_set")
def network_protection_geo_set(
    *,
    actor: ActorLike,
    protected_ip: Ref | str,
    action: Literal["allow", "deny"],
    countries: Sequence[str],
    reason: str = "",
) -> GeoFilter:
    """Set geo filter.

    Audited write: `network_protection_geo_set`, POST /network-protection/{id}/geo.
    The route is inferred (`x-unverified` in the reference).
    """
    return on_object(
        NetworkProtectionArea.geo_set,
        actor,
        protected_ip,
        PROTECTION,
        reason=reason,
        action=action,
        countries=countries,
    )


@service("network_protection_geo_update")
def network_protection_geo_update(
    *,
    actor: ActorLike,
    protected_ip: Ref | str,
    action: Literal["allow", "deny"] | None = None,
    countries: Sequence[str] | None = None,
    reason: str = "",
) -> GeoFilter:
    """Update geo filter.

    Audited write: `network_protection_geo_update`, PATCH /network-protection/{id}/geo.
    The route is inferred (`x-unverified` in the reference).
    """
    return on_object(
        NetworkProtectionArea.geo_update,
        actor,
        protected_ip,
        PROTECTION,
        reason=reason,
        action=action,
        countries=countries,
    )


@service("network_protection_geo_delete")
def network_protection_geo_delete(*, actor: ActorLike, protected_ip: Ref | str, reason: str = "") -> Any:
    """Delete geo filter.

    Audited write: `network_protection_geo_delete`, DELETE /network-protection/{id}/geo.
    The route is inferred (`x-unverified` in the reference).
    """
    return on_object(NetworkProtectionArea.geo_delete, actor, protected_ip, PROTECTION, reason=reason)


def _ip_filter_get(
    method: Callable[..., IpFilterList], actor: ActorLike, protected_ip: Ref | str
) -> IpFilterList:
    ref = _visible_protection(actor, protected_ip)
    return execute(call(method, id=ref.int_id), actor=actor, target=ref, target_type="network_protection")


# The whitelist and the blacklist take the same calls, each on its own route.
@service("network_protection_whitelist_get")
def network_protection_whitelist_get(*, actor: ActorLike, protected_ip: Ref | str) -> IpFilterList:
    """The whitelist's status and addresses (read)."""
    return _ip_filter_get(NetworkProtectionArea.whitelist_get, actor, protected_ip)


@service("network_protection_whitelist_set")
def network_protection_whitelist_set(
    *, actor: ActorLike, protected_ip: Ref | str, networks: Sequence[str], reason: str = ""
) -> IpFilterList:
    """Put addresses on the whitelist (audited write)."""
    return on_object(
        NetworkProtectionArea.whitelist_set, actor, protected_ip, PROTECTION, reason=reason, networks=networks
    )


@service("network_protection_whitelist_update")
def network_protection_whitelist_update(
    *,
    actor: ActorLike,
    protected_ip: Ref | str,
    networks: Sequence[str] | None = None,
    active: bool | None = None,
    reason: str = "",
) -> IpFilterList:
    """Change the whitelist: add addresses, switch it on or off (audited write)."""
    return on_object(
        NetworkProtectionArea.whitelist_update,
        actor,
        protected_ip,
        PROTECTION,
        reason=reason,
        networks=networks,
        active=active,
    )


@service("network_protection_whitelist_delete")
def network_protection_whitelist_delete(
    *, actor: ActorLike, protected_ip: Ref | str, reason: str = ""
) -> Any:
    """Delete every rule of the whitelist (audited write)."""
    return on_object(NetworkProtectionArea.whitelist_delete, actor, protected_ip, PROTECTION, reason=reason)


@service("network_protection_blacklist_get")
def network_protection_blacklist_get(*, actor: ActorLike, protected_ip: Ref | str) -> IpFilterList:
    """The blacklist's status and addresses (read)."""
    return _ip_filter_get(NetworkProtectionArea.blacklist_get, actor, protected_ip)


@service("network_protection_blacklist_set")
def network_protection_blacklist_set(
    *, actor: ActorLike, protected_ip: Ref | str, networks: Sequence[str], reason: str = ""
) -> IpFilterList:
    """Put addresses on the blacklist (audited write)."""
    return on_object(
        NetworkProtectionArea.blacklist_set, actor, protected_ip, PROTECTION, reason=reason, networks=networks
    )


@service("network_protection_blacklist_update")
def network_protection_blacklist_update(
    *,
    actor: ActorLike,
    protected_ip: Ref | str,
    networks: Sequence[str] | None = None,
    active: bool | None = None,
    reason: str = "",
) -> IpFilterList:
    """Change the blacklist: add addresses, switch it on or off (audited write)."""
    return on_object(
        NetworkProtectionArea.blacklist_update,
        actor,
        protected_ip,
        PROTECTION,
        reason=reason,
        networks=networks,
        active=active,
    )


@service("network_protection_blacklist_delete")
def network_protection_blacklist_delete(
    *, actor: ActorLike, protected_ip: Ref | str, reason: str = ""
) -> Any:
    """Delete every rule of the blacklist (audited write)."""
    return on_object(NetworkProtectionArea.blacklist_delete, actor, protected_ip, PROTECTION, reason=reason)


@service("network_protection_get")
def network_protection_get(*, actor: ActorLike, protected_ip: Ref | str) -> NetworkProtectionInfo:
    """General information.

    Read: `network_protection_get`, GET /network-protection/{id}/.
    """
    ref = _visible_protection(actor, protected_ip)
    return execute(
        call(NetworkProtectionArea.get, id=ref.int_id),
        actor=actor,
        target=ref,
        target_type="network_protection",
    )


@service("network_protection_bandwidth")
def network_protection_bandwidth(
    *, actor: ActorLike, protected_ip: Ref | str, start: int | None = None, end: int | None = None
) -> dict[str, Any]:
    """Bandwidth.

    Read: `network_protection_bandwidth`, GET /network-protection/{id}/bandwidth.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = _visible_protection(actor, protected_ip)
    return execute(
        call(NetworkProtectionArea.bandwidth, id=ref.int_id, start=start, end=end),
        actor=actor,
        target=ref,
        target_type="network_protection",
    )


@service("network_protection_blocked_ips")
def network_protection_blocked_ips(*, actor: ActorLike, protected_ip: Ref | str) -> dict[str, Any]:
    """List blocked IPs.

    Read: `network_protection_blocked_ips`, GET /network-protection/{id}/blocked-ips.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = _visible_protection(actor, protected_ip)
    return execute(
        call(NetworkProtectionArea.blocked_ips, id=ref.int_id),
        actor=actor,
        target=ref,
        target_type="network_protection",
    )


@service("network_protection_attacks_list")
def network_protection_attacks_list(
    *,
    actor: ActorLike,
    protected_ip: Ref | str,
    start: int | None = None,
    end: int | None = None,
    per_page: int | None = None,
    page: int | None = None,
) -> Page[AttackSummary]:
    """List attacks.

    Read: `network_protection_attacks_list`, GET /network-protection/{id}/attacks.
    """
    ref = _visible_protection(actor, protected_ip)
    return execute(
        call(
            NetworkProtectionArea.attacks_list,
            id=ref.int_id,
            start=start,
            end=end,
            per_page=per_page,
            page=page,
        ),
        actor=actor,
        target=ref,
        target_type="network_protection",
    )


@service("network_protection_attack_get")
def network_protection_attack_get(*, actor: ActorLike, protected_ip: Ref | str, attack_id: str) -> Attack:
    """Get an attack.

    Read: `network_protection_attack_get`, GET /network-protection/{id}/attacks/{attack_id}.
    """
    ref = _visible_protection(actor, protected_ip)
    return execute(
        call(NetworkProtectionArea.attack_get, id=ref.int_id, attack_id=attack_id),
        actor=actor,
        target=ref,
        target_type="network_protection",
    )


@service("network_protection_attack_bandwidth")
def network_protection_attack_bandwidth(
    *, actor: ActorLike, protected_ip: Ref | str, attack_id: str
) -> dict[str, Any]:
    """Attack bandwidth.

    Read: `network_protection_attack_bandwidth`, GET /network-protection/{id}/attacks/{attack_id}/bandwidth.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = _visible_protection(actor, protected_ip)
    return execute(
        call(NetworkProtectionArea.attack_bandwidth, id=ref.int_id, attack_id=attack_id),
        actor=actor,
        target=ref,
        target_type="network_protection",
    )
