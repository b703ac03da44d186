"""`client.orders`: the operations orders_list, orders_get, orders_delete, orders_update,
orders_change_renewal_period, orders_pay.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

from ..calls import operation
from ..models import Order, OrderListItem
from ..results import Page
from ._base import Area, body

__all__ = ["OrdersArea"]


class OrdersArea(Area):
    """Operations of the `orders` area of the VPSBG API."""

    @operation("orders_list")
    def list(
        self, *, page: int | None = None, per_page: int | None = None, status: str | None = None
    ) -> Page[OrderListItem]:
        """List orders."""
        return self._page(
            "orders_list", OrderListItem, query={"page": page, "per_page": per_page, "filter[status]": status}
        )

    def iter_all(self, *, per_page: int | None = 50, status: str | None = None) -> Iterator[OrderListItem]:
        """Every item of `list`, walking all pages lazily (per_page items at a time)."""
        return self._walk(lambda n: self.list(per_page=per_page, status=status, page=n))

    @operation("orders_get")
    def get(self, id: int | str) -> Order:
        """Get an order."""
        return self._call("orders_get", model=Order, path={"id": id})

    @operation("orders_delete")
    def delete(self, id: int) -> Any:
        """Delete order (inferred route: `x-unverified` in the reference)."""
        return self._call("orders_delete", path={"id": id})

    @operation("orders_update")
    def update(
        self,
        id: int,
        *,
        auto_pay: bool | None = None,
        payment_method: str | None = None,
        promo_code: str | None = None,
    ) -> Any:
        """Update order (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "orders_update",
            path={"id": id},
            json=body({}, auto_pay=auto_pay, payment_method=payment_method, promo_code=promo_code),
        )

    @operation("orders_change_renewal_period")
    def change_renewal_period(
        self,
        id: int,
        service_type: str,
        service_id: int | str,
        *,
        billing_cycle: int,
        promo_code: str | None = None,
    ) -> None:
        """Change renewal period."""
        self._call(
            "orders_change_renewal_period",
            path={"id": id, "service_type": service_type, "service_id": service_id},
            json=body({"billing_cycle": billing_cycle}, promo_code=promo_code),
        )

    @operation("orders_pay")
    def pay(
        self,
        *,
        ids: Sequence[int] | None = None,
        payment_method: Literal["balance", "card", "bank", "bitcoin", "bitcoin-ln"] | None = None,
    ) -> Any:
        """Pay orders (inferred route: `x-unverified` in the reference)."""
        return self._call("orders_pay", json=body({}, ids=ids, payment_method=payment_method))
