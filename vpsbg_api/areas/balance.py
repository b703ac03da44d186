"""`client.balance`: the operations balance_get, balance_deposit, balance_transactions_list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..calls import operation
from ..models import Balance, Order
from ..results import Page
from ._base import Area, body

__all__ = ["BalanceArea"]


class BalanceArea(Area):
    """Operations of the `balance` area of the VPSBG API."""

    @operation("balance_get")
    def get(self) -> Balance:
        """Balance."""
        return self._call("balance_get", model=Balance)

    @operation("balance_deposit")
    def deposit(self, *, amount: float | None = None, payment_method: str | None = None) -> Order:
        """Deposit funds (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "balance_deposit", model=Order, json=body({}, amount=amount, payment_method=payment_method)
        )

    @operation("balance_transactions_list")
    def transactions_list(self, *, page: int | None = None) -> Page[dict[str, Any]]:
        """List balance transactions (inferred route: `x-unverified` in the reference)."""
        return self._page("balance_transactions_list", dict[str, Any], query={"page": page})

    def transactions_iter_all(self) -> Iterator[dict[str, Any]]:
        """Every item of `transactions_list`, walking all pages lazily."""
        return self._walk(lambda n: self.transactions_list(page=n))
