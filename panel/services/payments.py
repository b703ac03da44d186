"""What paying an order takes at VPSBG, so a page offers only what VPSBG will do.

The panel pays an order from the account's balance (`pay_orders`). A deposit is the one order
that cannot be paid so: it tops the balance up, and VPSBG refuses it ("Deposits cannot be paid
from balance"); it is paid by card, bank transfer or bitcoin (`POST /balance`, `POST /orders/pay`
in the reference). Order pages, the pay page and the dashboard ask here instead of each knowing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEPOSIT_NEEDS", "payable_from_balance", "payment_need"]

DEPOSIT_NEEDS = (
    "A deposit is paid by card, bank transfer or bitcoin at VPSBG; it cannot be paid from the balance."
)


def payable_from_balance(order: Any) -> bool:
    """May the panel offer "Pay" (from the balance) for this order?"""
    return getattr(order, "type", None) != "deposit"


def payment_need(order: Any, balance: float | None = None) -> str:
    """One line saying what the order needs to be paid; `balance`, when known, is the account's."""
    if not payable_from_balance(order):
        return DEPOSIT_NEEDS
    amount = getattr(order, "amount_with_vat", None)
    if balance is not None and amount is not None and amount > balance:
        return f"Payment from the balance, after a deposit of at least {amount - balance:.2f}."
    return "Payment from the balance."
