"""Account actions: a VPSBG account's profile, its own second factor and its affiliate programme.

Bounds and formats follow the reference (`user_update`, `user_2fa_*`, `affiliate_*`); where it
states none, the panel's own keep VPSBG from refusing what a page could have said. The profile is
a partial update: a field left out is kept as it is (several become immutable at VPSBG, so the page
sends only what a person changed).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import BeforeValidator, Field, field_validator, model_validator

from panel.services import account
from panel.services.context import Actor

from .base import Action, Input, Mode, NoInput, Risk, Target
from .registry import register

__all__ = [
    "AFFILIATE_ACTIVATE",
    "PROFILE_UPDATE",
    "REFERRAL_CODE",
    "TWO_FACTOR_DISABLE",
    "TWO_FACTOR_ENABLE",
    "ProfileInput",
    "ReferralCodeInput",
    "TwoFactorDisableInput",
    "TwoFactorEnableInput",
]

PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")
VAT_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{2,13}$")
REFERRAL_RE = re.compile(r"^[A-Za-z0-9_-]+$")
BASE32_RE = re.compile(r"^[A-Za-z2-7]+=*$")

Text = Annotated[str, Field(max_length=255)] | None
OTP_HELP = "The 6 digits the authenticator app shows now."


def _six_digits(value: Any) -> Any:
    """A code as typed ("123 456") or as a number (JSON): six digits, leading zeros kept."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 999_999:
        return f"{value:06d}"
    if isinstance(value, str):
        code = re.sub(r"\s", "", value)
        if not re.fullmatch(r"\d{6}", code):
            raise ValueError("Enter the 6 digits the authenticator app shows.")
        return code
    raise ValueError("Enter the 6 digits the authenticator app shows.")


# The reference's `otp` is an integer; a person types six digits (a leading zero is one of them).
Otp = Annotated[str, BeforeValidator(_six_digits), Field(max_length=20, pattern=r"^\d{6}$")]


class ProfileInput(Input):
    """PATCH /user: every field optional; one left out keeps its value."""

    address: Text = Field(default=None, title="Address")
    city: Annotated[str, Field(max_length=100)] | None = Field(default=None, title="City")
    postal_code: Annotated[str, Field(max_length=20)] | None = Field(default=None, title="Postal code")
    country_id: Annotated[int, Field(ge=1, le=10_000)] | None = Field(
        default=None,
        title="Country id",
        description="VPSBG's country number. Changeable only while no company is set or no order is paid.",
    )
    phone_number: Annotated[str, Field(max_length=30)] | None = Field(default=None, title="Phone number")
    technical_email: Annotated[str, Field(max_length=254)] | None = Field(
        default=None, title="Technical e-mail", description="Gets VPSBG's technical notices."
    )
    language_id: Annotated[int, Field(ge=1, le=10_000)] | None = Field(default=None, title="Language id")
    newsletter: bool | None = Field(default=None, title="Receive VPSBG's newsletter")
    email_otp_enabled: bool | None = Field(default=None, title="Ask for a one-time code by e-mail at sign-in")
    company: bool | None = Field(default=None, title="The account belongs to a company")
    company_name: Text = Field(
        default=None,
        title="Company name",
        description="Editable within 5 days of the first deposit or until an order is paid.",
    )
    company_address: Text = Field(default=None, title="Company address")
    uic: Annotated[int, Field(ge=0, le=999_999_999_999_999)] | None = Field(
        default=None,
        title="Company identification code (UIC)",
        description="Editable within 5 days of the first deposit or until an order is paid.",
    )
    vat_number: Annotated[str, Field(max_length=15)] | None = Field(
        default=None,
        title="VAT number",
        description="Country prefix and number, e.g. BG123456789. Same time limit as the company name.",
    )
    referral_code: Annotated[str, Field(max_length=20)] | None = Field(
        default=None,
        title="Referral code",
        description="Set once; only while the account has no paid orders or is younger than 30 days.",
    )

    @field_validator("phone_number")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        value = value.strip() if value is not None else None
        if value and not PHONE_RE.match(value):
            raise ValueError("Enter a phone number of digits (an optional leading +, spaces).")
        return value

    @field_validator("technical_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        value = value.strip() if value is not None else None
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError("Enter a valid email address.") from None
        return value

    @field_validator("vat_number")
    @classmethod
    def _vat(cls, value: str | None) -> str | None:
        value = value.strip().upper().replace(" ", "") if value is not None else None
        if value and not VAT_RE.match(value):
            raise ValueError("Enter a VAT number: two letters of the country, then the number.")
        return value

    @field_validator("referral_code")
    @classmethod
    def _referral(cls, value: str | None) -> str | None:
        value = value.strip() if value is not None else None
        if value and not REFERRAL_RE.match(value):
            raise ValueError("Use letters, digits, dashes and underscores only.")
        return value

    @model_validator(mode="after")
    def _company_named(self) -> ProfileInput:
        # Left out, the name at VPSBG is kept; given empty, a company would have none.
        if self.company and self.company_name is not None and not self.company_name.strip():
            raise ValueError("A company needs its name.")
        return self


class TwoFactorEnableInput(Input):
    """POST /user/2fa: the secret VPSBG issued and a current code."""

    secret_key: Annotated[str, Field(min_length=8, max_length=128)] = Field(title="Secret key")
    otp: Otp = Field(title="Code from the authenticator app", description=OTP_HELP)

    @field_validator("secret_key")
    @classmethod
    def _base32(cls, value: str) -> str:
        value = value.strip().replace(" ", "")
        if not BASE32_RE.match(value):
            raise ValueError("The secret is not a base32 key; ask VPSBG for a new one.")
        return value


class TwoFactorDisableInput(Input):
    otp: Otp = Field(title="Current code from the account's authenticator app", description=OTP_HELP)


class ReferralCodeInput(Input):
    """PUT /affiliate: 5 to 20 characters; they become the referral link, so URL-safe ones only."""

    referral_code: Annotated[str, Field(min_length=5, max_length=20)] = Field(
        title="New referral code",
        description="5 to 20 letters, digits, dashes or underscores. Links with the old code keep working.",
    )

    @field_validator("referral_code")
    @classmethod
    def _safe(cls, value: str) -> str:
        if not REFERRAL_RE.match(value):
            raise ValueError("Use letters, digits, dashes and underscores only.")
        return value


def _profile(actor: Actor, target: str, data: ProfileInput, reason: str) -> Any:
    return account.user_update(actor=actor, account=target, reason=reason, **data.model_dump())


def _two_factor_enable(actor: Actor, target: str, data: TwoFactorEnableInput, reason: str) -> Any:
    return account.user_2fa_enable(
        actor=actor, otp=int(data.otp), secret_key=data.secret_key, account=target, reason=reason
    )


def _two_factor_disable(actor: Actor, target: str, data: TwoFactorDisableInput, reason: str) -> Any:
    return account.user_2fa_disable(actor=actor, otp=int(data.otp), account=target, reason=reason)


def _affiliate_activate(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
    return account.affiliate_activate(actor=actor, account=target, reason=reason)


def _referral_code(actor: Actor, target: str, data: ReferralCodeInput, reason: str) -> Any:
    return account.affiliate_update_referral_code(
        actor=actor, referral_code=data.referral_code, account=target, reason=reason
    )


PROFILE_UPDATE = Action(
    name="user_update",
    label="Change profile",
    description="Change the VPSBG account's contact and company details.",
    input=ProfileInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_profile,
    done_message="Profile saved.",
)
TWO_FACTOR_ENABLE = Action(
    name="user_2fa_enable",
    label="Turn on two-factor sign-in",
    description="Require a code from an authenticator app when signing in to VPSBG.",
    input=TwoFactorEnableInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_two_factor_enable,
    done_message="Two-factor sign-in is on.",
)
TWO_FACTOR_DISABLE = Action(
    name="user_2fa_disable",
    label="Turn off two-factor sign-in",
    description="Stop asking for an authenticator code when signing in to VPSBG (weakens the account).",
    input=TwoFactorDisableInput,
    target=Target.ACCOUNT,
    risk=Risk.DESTRUCTIVE,
    mode=Mode.NOW,
    perform=_two_factor_disable,
    done_message="Two-factor sign-in is off.",
)
AFFILIATE_ACTIVATE = Action(
    name="affiliate_activate",
    label="Join the affiliate programme",
    description="Activate the VPSBG account's affiliate programme.",
    input=NoInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_affiliate_activate,
    done_message="Affiliate programme activated.",
)
REFERRAL_CODE = Action(
    name="affiliate_update_referral_code",
    label="Change referral code",
    description="Change the code in the account's referral link.",
    input=ReferralCodeInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_referral_code,
    done_message="Referral code changed.",
)

register(PROFILE_UPDATE, TWO_FACTOR_ENABLE, TWO_FACTOR_DISABLE, AFFILIATE_ACTIVATE, REFERRAL_CODE)
