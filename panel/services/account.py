"""The VPSBG account itself: profile, its own two-factor login, the affiliate programme.

One service per VPSBG operation, each a thin typed wrapper over `execution.execute` (authorize,
choose the token, call, map errors, audit). Object arguments are `"<account>:<id>"` references;
`account` picks the VPSBG account when the team has several (optional when it has one).
"""

from __future__ import annotations

from typing import Any

from vpsbg_api.areas import AffiliateArea, UserArea
from vpsbg_api.calls import call
from vpsbg_api.models import Affiliate, TwoFactorSecret, User
from vpsbg_api.results import Page

from .context import ActorLike
from .execution import execute
from .registry import service

__all__ = [
    "affiliate_activate",
    "affiliate_conversions_list",
    "affiliate_get",
    "affiliate_payouts_list",
    "affiliate_update_referral_code",
    "user_2fa_disable",
    "user_2fa_enable",
    "user_2fa_get_secret",
    "user_get",
    "user_update",
]


@service("user_2fa_get_secret")
def user_2fa_get_secret(*, actor: ActorLike, account: str | None = None) -> TwoFactorSecret:
    """Get 2FA secret key.

    Read: `user_2fa_get_secret`, GET /user/2fa.
    """
    return execute(call(UserArea.two_factor_secret), actor=actor, account=account)


@service("user_2fa_enable")
def user_2fa_enable(
    *, actor: ActorLike, otp: int, secret_key: str, account: str | None = None, reason: str = ""
) -> None:
    """Enable 2FA.

    Audited write: `user_2fa_enable`, POST /user/2fa.
    """
    execute(
        call(UserArea.two_factor_enable, otp=otp, secret_key=secret_key),
        actor=actor,
        account=account,
        reason=reason,
    )


@service("user_2fa_disable")
def user_2fa_disable(
    *, actor: ActorLike, otp: int | None = None, account: str | None = None, reason: str = ""
) -> None:
    """Disable 2FA.

    Audited write: `user_2fa_disable`, DELETE /user/2fa.
    The route is inferred (`x-unverified` in the reference).
    """
    execute(call(UserArea.two_factor_disable, otp=otp), actor=actor, account=account, reason=reason)


@service("user_update")
def user_update(
    *,
    actor: ActorLike,
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
    account: str | None = None,
    reason: str = "",
) -> User:
    """Update user.

    Audited write: `user_update`, PATCH /user.
    """
    return execute(
        call(
            UserArea.update,
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
        actor=actor,
        account=account,
        reason=reason,
    )


@service("user_get")
def user_get(*, actor: ActorLike, account: str | None = None) -> User:
    """Get account information.

    Read: `user_get`, GET /user.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(UserArea.get), actor=actor, account=account)


@service("affiliate_get")
def affiliate_get(*, actor: ActorLike, account: str | None = None) -> Affiliate:
    """Get affiliate information.

    Read: `affiliate_get`, GET /affiliate.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(AffiliateArea.get), actor=actor, account=account)


@service("affiliate_activate")
def affiliate_activate(*, actor: ActorLike, account: str | None = None, reason: str = "") -> Affiliate:
    """Activate affiliate program.

    Audited write: `affiliate_activate`, POST /affiliate.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(AffiliateArea.activate), actor=actor, account=account, reason=reason)


@service("affiliate_update_referral_code")
def affiliate_update_referral_code(
    *, actor: ActorLike, referral_code: str, account: str | None = None, reason: str = ""
) -> Affiliate:
    """Update referral code.

    Audited write: `affiliate_update_referral_code`, PUT /affiliate.
    """
    return execute(
        call(AffiliateArea.update_referral_code, referral_code=referral_code),
        actor=actor,
        account=account,
        reason=reason,
    )


@service("affiliate_conversions_list")
def affiliate_conversions_list(
    *, actor: ActorLike, page: int | None = None, account: str | None = None
) -> Page[dict[str, Any]]:
    """List conversions.

    Read: `affiliate_conversions_list`, GET /affiliate/conversions.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(AffiliateArea.conversions_list, page=page), actor=actor, account=account)


@service("affiliate_payouts_list")
def affiliate_payouts_list(
    *, actor: ActorLike, page: int | None = None, account: str | None = None
) -> Page[dict[str, Any]]:
    """List payouts.

    Read: `affiliate_payouts_list`, GET /affiliate/payouts.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(AffiliateArea.payouts_list, page=page), actor=actor, account=account)
