"""`client.floating_ips`: the operations floating_ips_list, floating_ips_purchase, floating_ips_cancel,
floating_ips_cancel_undo, floating_ips_plans, floating_ips_attach, floating_ips_detach.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import Any

from ..calls import operation
from ..models import FloatingIp, FloatingIpPlan
from ..results import Page
from ._base import Area, body

__all__ = ["FloatingIpsArea"]


class FloatingIpsArea(Area):
    """Operations of the `floating_ips` area of the VPSBG API."""

    @operation("floating_ips_list")
    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        ip: str | None = None,
        search: str | None = None,
        status: str | None = None,
        ddos: bool | None = None,
    ) -> Page[FloatingIp]:
        """List Floating IPs."""
        return self._page(
            "floating_ips_list",
            FloatingIp,
            query={
                "page": page,
                "per_page": per_page,
                "filter[ip]": ip,
                "filter[search]": search,
                "filter[status]": status,
                "filter[ddos]": ddos,
            },
        )

    def iter_all(
        self,
        *,
        per_page: int | None = 50,
        ip: str | None = None,
        search: str | None = None,
        status: str | None = None,
        ddos: bool | None = None,
    ) -> Iterator[FloatingIp]:
        """Every item of `list`, walking all pages lazily (per_page items at a time)."""
        return self._walk(
            lambda n: self.list(per_page=per_page, ip=ip, search=search, status=status, ddos=ddos, page=n)
        )

    @operation("floating_ips_purchase")
    def purchase(
        self,
        *,
        billing_cycle: int | None = None,
        ipv4: int | None = None,
        ipv4_ddos: int | None = None,
        ipv6: int | None = None,
        server_id: int | None = None,
    ) -> builtins.list[FloatingIp]:
        """Purchase Floating IPs."""
        return self._list(
            "floating_ips_purchase",
            FloatingIp,
            json=body(
                {},
                billing_cycle=billing_cycle,
                ipv4=ipv4,
                ipv4_ddos=ipv4_ddos,
                ipv6=ipv6,
                server_id=server_id,
            ),
        )

    @operation("floating_ips_cancel")
    def cancel(self, *, ids: Sequence[int], now: bool, reason: str | None = None) -> dict[str, Any]:
        """Cancel Floating IP."""
        return self._call("floating_ips_cancel", json=body({"ids": ids, "now": now}, reason=reason))

    @operation("floating_ips_cancel_undo")
    def cancel_undo(self, *, ids: Sequence[int] | None = None) -> Any:
        """Delete Floating IP Cancellation (inferred route: `x-unverified` in the reference)."""
        return self._call("floating_ips_cancel_undo", json=body({}, ids=ids))

    @operation("floating_ips_plans")
    def plans(self) -> Page[FloatingIpPlan]:
        """Plans (inferred route: `x-unverified` in the reference)."""
        return self._page("floating_ips_plans", FloatingIpPlan)

    @operation("floating_ips_attach")
    def attach(self, *, ids: Sequence[int] | None = None, server_id: int | None = None) -> Any:
        """Attach Floating IP (inferred route: `x-unverified` in the reference)."""
        return self._call("floating_ips_attach", json=body({}, ids=ids, server_id=server_id))

    @operation("floating_ips_detach")
    def detach(self, *, ids: Sequence[int] | None = None) -> Any:
        """Detach Floating IP (inferred route: `x-unverified` in the reference)."""
        return self._call("floating_ips_detach", json=body({}, ids=ids))
