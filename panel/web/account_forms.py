"""Forms of the Account pages (a VPSBG account's profile, its own 2FA, its affiliate programme).

Validation follows the VPSBG reference (`user_update`, `user_2fa_*`, `affiliate_*`), so most
mistakes show next to their field before VPSBG is asked; VPSBG's own field errors are added to the
same fields by the views. The profile is a partial update: only the fields a person changed are
sent, because several of them (country, company details, referral code) become immutable at VPSBG
and re-sending an unchanged value could be refused.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

__all__ = [
    "PROFILE_FIELDS",
    "AffiliateActivateForm",
    "ProfileForm",
    "ReferralCodeForm",
    "TwoFactorDisableForm",
    "TwoFactorEnableForm",
    "profile_initial",
]

REASON_HELP = "Optional; kept in the audit log."
OTP_RE = re.compile(r"^\d{6}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")
VAT_RE = re.compile(r"^[A-Za-z]{2}[A-Za-z0-9]{2,13}$")
REFERRAL_RE = re.compile(r"^[A-Za-z0-9_-]+$")

# The form's fields in the order of the reference's PATCH /user body.
PROFILE_FIELDS = (
    "address", "city", "postal_code", "country_id", "phone_number", "technical_email", "language_id",
    "newsletter", "email_otp_enabled", "company", "company_name", "company_address", "uic",
    "vat_number", "referral_code",
)  # fmt: skip
BOOLEAN_FIELDS = frozenset({"newsletter", "email_otp_enabled", "company"})


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason (for the audit log)", required=False, max_length=500, help_text=REASON_HELP
    )


def _otp_field(label: str = "Code from the authenticator app") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=8,
        help_text="The 6 digits the app shows now.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _clean_otp(value: str) -> int:
    code = re.sub(r"\s", "", value or "")
    if not OTP_RE.match(code):
        raise forms.ValidationError("Enter the 6 digits the authenticator app shows.")
    return int(code)


class ProfileForm(forms.Form):
    """PATCH /user: the profile and company details; blank numeric ids mean “keep as it is”."""

    address = forms.CharField(label="Address", required=False, max_length=255)
    city = forms.CharField(label="City", required=False, max_length=100)
    postal_code = forms.CharField(
        label="Postal code", required=False, max_length=20, help_text="Leave blank to keep the current one."
    )
    country_id = forms.IntegerField(
        label="Country id",
        required=False,
        min_value=1,
        help_text="VPSBG's country number; leave blank to keep the current country. "
        "Changeable only while no company is set or no order has been paid.",
    )
    phone_number = forms.CharField(label="Phone number", required=False, max_length=30)
    technical_email = forms.EmailField(
        label="Technical e-mail", required=False, max_length=254, help_text="Gets VPSBG's technical notices."
    )
    language_id = forms.IntegerField(
        label="Language id",
        required=False,
        min_value=1,
        help_text="Leave blank to keep the current language.",
    )
    newsletter = forms.BooleanField(label="Receive VPSBG's newsletter", required=False)
    email_otp_enabled = forms.BooleanField(
        label="Ask for a one-time code by e-mail at sign-in", required=False
    )
    company = forms.BooleanField(label="The account belongs to a company", required=False)
    company_name = forms.CharField(
        label="Company name",
        required=False,
        max_length=255,
        help_text="Editable within 5 days of the first deposit or until an order is paid.",
    )
    company_address = forms.CharField(label="Company address", required=False, max_length=255)
    uic = forms.IntegerField(
        label="Company identification code (UIC)",
        required=False,
        min_value=0,
        help_text="Editable within 5 days of the first deposit or until an order is paid.",
    )
    vat_number = forms.CharField(
        label="VAT number",
        required=False,
        max_length=20,
        help_text="Country prefix and number, e.g. BG123456789. Same time limit as the company name.",
    )
    referral_code = forms.CharField(
        label="Referral code",
        required=False,
        max_length=20,
        help_text="Set once; only while the account has no paid orders or is younger than 30 days.",
    )
    reason = _reason_field()

    def clean_phone_number(self) -> str:
        value = self.cleaned_data["phone_number"].strip()
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError("Enter a phone number of digits (an optional leading +, spaces).")
        return value

    def clean_vat_number(self) -> str:
        value = self.cleaned_data["vat_number"].strip().upper().replace(" ", "")
        if value and not VAT_RE.match(value):
            raise forms.ValidationError("Enter a VAT number: two letters of the country, then the number.")
        return value

    def clean_referral_code(self) -> str:
        value = self.cleaned_data["referral_code"].strip()
        if value and not REFERRAL_RE.match(value):
            raise forms.ValidationError("Use letters, digits, dashes and underscores only.")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("company") and not (data.get("company_name") or "").strip():
            self.add_error("company_name", "A company needs its name.")
        return data

    def changes(self) -> dict[str, Any]:
        """The fields the person changed, as `user_update` arguments (unchanged ones are not sent)."""
        out: dict[str, Any] = {}
        for name in PROFILE_FIELDS:
            if name not in self.changed_data:
                continue
            value = self.cleaned_data.get(name)
            if name in BOOLEAN_FIELDS:
                out[name] = bool(value)
            elif value is None or value == "":
                # A blank id keeps the current value; a cleared text is sent so VPSBG decides.
                if name not in ("country_id", "language_id", "uic"):
                    out[name] = ""
            else:
                out[name] = value.strip() if isinstance(value, str) else value
        return out


def profile_initial(user: Any) -> dict[str, Any]:
    """The form's starting values from VPSBG's `User` (postal code, ids: VPSBG does not say)."""
    company_number = (getattr(user, "company_number", None) or "").strip()
    return {
        "address": user.address or "",
        "city": user.city or "",
        "phone_number": user.phone_number or "",
        "technical_email": user.tech_email or "",
        "newsletter": bool(user.newsletter),
        "email_otp_enabled": bool(user.email_otp_enabled),
        "company": bool(user.company_name),
        "company_name": user.company_name or "",
        "company_address": user.company_address or "",
        "uic": int(company_number) if company_number.isdigit() else None,
        "vat_number": user.vat_number or "",
        "referral_code": user.aff_hash or "",
    }


class TwoFactorEnableForm(forms.Form):
    """POST /user/2fa: the secret VPSBG issued (carried by the page) and a current code."""

    secret_key = forms.CharField(widget=forms.HiddenInput, max_length=128)
    otp_auth_url = forms.CharField(widget=forms.HiddenInput, max_length=1000, required=False)
    otp = _otp_field()
    reason = _reason_field()

    def clean_otp(self) -> int:
        return _clean_otp(self.cleaned_data["otp"])

    def clean_secret_key(self) -> str:
        value = self.cleaned_data["secret_key"].strip().replace(" ", "")
        if not re.fullmatch(r"[A-Za-z2-7]+=*", value):
            raise forms.ValidationError("The secret is not a base32 key; ask VPSBG for a new one.")
        return value

    def clean_otp_auth_url(self) -> str:
        value = self.cleaned_data["otp_auth_url"].strip()
        return value if value.startswith("otpauth://") else ""


class TwoFactorDisableForm(forms.Form):
    """DELETE /user/2fa: a current code (the reference's likely `otp`) and the account's e-mail typed."""

    otp = _otp_field("Current code from the account's authenticator app")
    confirm = forms.CharField(label="Type the account's e-mail address to confirm", max_length=254)
    reason = _reason_field()

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["confirm"].help_text = f"Type “{email}”."

    def clean_otp(self) -> int:
        return _clean_otp(self.cleaned_data["otp"])

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value.lower() != self.email.lower():
            raise forms.ValidationError(f"Type the e-mail address exactly: “{self.email}”.")
        return value


class AffiliateActivateForm(forms.Form):
    reason = _reason_field()


class ReferralCodeForm(forms.Form):
    """PUT /affiliate: 5 to 20 characters; they become the referral link, so URL-safe ones only."""

    referral_code = forms.CharField(
        label="New referral code",
        min_length=5,
        max_length=20,
        help_text="5 to 20 letters, digits, dashes or underscores. Links with the old code keep working.",
    )
    reason = _reason_field()

    def clean_referral_code(self) -> str:
        value = self.cleaned_data["referral_code"].strip()
        if not REFERRAL_RE.match(value):
            raise forms.ValidationError("Use letters, digits, dashes and underscores only.")
        return value
