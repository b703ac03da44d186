"""`client.affiliate`: the operations affiliate_get, affiliate_activate,
affiliate_update_referral_code, affiliate_conversions_list, affiliate_payouts_list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..calls import operation
from ..models import Affiliate
from ..results import Page
from ._base import Area, body

__all__ = ["AffiliateArea"]


class AffiliateArea(Area):
    """Operations of the `affiliate` area of the VPSBG API."""

    @operation("affiliate_get")
    def get(self) -> Affiliate:
        """Get affiliate information (inferred route: `x-unverified` in the reference)."""
        return self._call("affiliate_get", model=Affiliate)

    @operation("affiliate_activate")
    def activate(self) -> Affiliate:
        """Activate affiliate program (inferred route: `x-unverified` in the reference)."""
        return self._call("affiliate_activate", model=Affiliate)

    @operation("affiliate_update_referral_code")
    def update_referral_code(self, *, referral_code: str) -> Affiliate:
        """Update referral code."""
        return self._call(
            "affiliate_update_referral_code", model=Affiliate, json=body({"referral_code": referral_code})
        )

    @operation("affiliate_conversions_list")
    def conversions_list(self, *, page: int | None = None) -> Page[dict[str, Any]]:
        """List conversions (inferred route: `x-unverified` in the reference)."""
        return self._page("affiliate_conversions_list", dict[str, Any], query={"page": page})

    def conversions_iter_all(self) -> Iterator[dict[str, Any]]:
        """Every item of `conversions_list`, walking all pages lazily."""
        return self._walk(lambda n: self.conversions_list(page=n))

    @operation("affiliate_payouts_list")
    def payouts_list(self, *, page: int | None = None) -> Page[dict[str, Any]]:
        """List payouts (inferred route: `x-unverified` in the reference)."""
        return self._page("affiliate_payouts_list", dict[str, Any], query={"page": page})

    def payouts_iter_all(self) -> Iterator[dict[str, Any]]:
        """Every item of `payouts_list`, walking all pages lazily."""
        return self._walk(lambda n: self.payouts_list(page=n))
