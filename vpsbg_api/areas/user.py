"""`client.user`: the operations user_2fa_get_secret, user_2fa_enable, user_2fa_disable, user_update,
user_get.
"""

from __future__ import annotations

from ..calls import operation
from ..models import TwoFactorSecret, User
from ._base import Area, body

__all__ = ["UserArea"]


class UserArea(Area):
    """Operations of the `user` area of the VPSBG API."""

    @operation("user_2fa_get_secret")
    def two_factor_secret(self) -> TwoFactorSecret:
        """Get 2FA secret key."""
        return self._call("user_2fa_get_secret", model=TwoFactorSecret)

    @operation("user_2fa_enable")
    def two_factor_enable(self, *, otp: int, secret_key: str) -> None:
        """Enable 2FA."""
        self._call("user_2fa_enable", json=body({"otp": otp, "secret_key": secret_key}))

    @operation("user_2fa_disable")
    def two_factor_disable(self, *, otp: int | None = None) -> None:
        """Disable 2FA (inferred route: `x-unverified` in the reference)."""
        self._call("user_2fa_disable", json=body({}, otp=otp))

    @operation("user_update")
    def update(
        self,
        *,
        address: str | None = None,
        country_id: int | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        phone_number: str | None = None,
        technical_email: str | None = None,
        referral_code: str | None = None,
        language_id: int | None = None,
        newsletter: bool | None = None,
        company: bool | None = None,
        company_name: str | None = None,
        company_address: str | None = None,
        uic: int | None = None,
        vat_number: str | None = None,
        email_otp_enabled: bool | None = None,
    ) -> User:
        """Update user."""
        return self._call(
            "user_update",
            model=User,
            json=body(
                {},
                address=address,
                country_id=country_id,
                city=city,
                postal_code=postal_code,
                phone_number=phone_number,
                technical_email=technical_email,
                referral_code=referral_code,
                language_id=language_id,
                newsletter=newsletter,
                company=company,
                company_name=company_name,
                company_address=company_address,
                uic=uic,
                vat_number=vat_number,
                email_otp_enabled=email_otp_enabled,
            ),
        )

    @operation("user_get")
    def get(self) -> User:
        """Get account information (inferred route: `x-unverified` in the reference)."""
        return self._call("user_get", model=User)
