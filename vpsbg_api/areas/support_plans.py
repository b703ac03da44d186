"""`client.support_plans`: the operations support_plans_purchase, support_plans_list,
support_plans_renew, support_plans_cancel, support_plans_undo_cancel.
"""

from __future__ import annotations

from typing import Any

from ..calls import operation
from ..models import Order
from ..results import Page
from ._base import Area, body

__all__ = ["SupportPlansArea"]


class SupportPlansArea(Area):
    """Operations of the `support_plans` area of the VPSBG API."""

    @operation("support_plans_purchase")
    def purchase(self, *, billing_cycle: int, plan: str) -> Order:
        """Purchase support plan."""
        return self._call(
            "support_plans_purchase", model=Order, json=body({"billing_cycle": billing_cycle, "plan": plan})
        )

    @operation("support_plans_list")
    def list(self) -> Page[dict[str, Any]]:
        """List plans (inferred route: `x-unverified` in the reference)."""
        return self._page("support_plans_list", dict[str, Any])

    @operation("support_plans_renew")
    def renew(self, *, billing_cycle: int | None = None) -> Order:
        """Renew support plan (inferred route: `x-unverified` in the reference)."""
        return self._call("support_plans_renew", model=Order, json=body({}, billing_cycle=billing_cycle))

    @operation("support_plans_cancel")
    def cancel(self, *, reason: str | None = None, now: bool | None = None) -> None:
        """Cancel support plan (inferred route: `x-unverified` in the reference)."""
        self._call("support_plans_cancel", json=body({}, reason=reason, now=now))

    @operation("support_plans_undo_cancel")
    def undo_cancel(self) -> None:
        """Undo cancel request (inferred route: `x-unverified` in the reference)."""
        self._call("support_plans_undo_cancel")
