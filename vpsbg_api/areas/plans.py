"""`client.plans`: the operations plans_addons, plans_promo_codes."""

from __future__ import annotations

import builtins

from ..calls import operation
from ..models import PlanAddonPrice, PromoCode
from ..results import Page
from ._base import Area

__all__ = ["PlansArea"]


class PlansArea(Area):
    """Operations of the `plans` area of the VPSBG API."""

    @operation("plans_addons")
    def addons(self, id: int) -> Page[PlanAddonPrice]:
        """Plan addon."""
        return self._page("plans_addons", PlanAddonPrice, path={"id": id})

    @operation("plans_promo_codes")
    def promo_codes(self, id: int | str) -> builtins.list[PromoCode]:
        """Plan promo-codes."""
        return self._list("plans_promo_codes", PromoCode, path={"id": id})
