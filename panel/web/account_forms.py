"""Forms of the Account pages (a VPSBG account's profile, its own 2FA, its affiliate programme).

Each form is derived from its action's input type (`panel.actions.account`), which holds every rule
from the VPSBG reference (`user_update`, `user_2fa_*`, `affiliate_*`), so most mistakes show next
to their field before VPSBG is asked; VPSBG's own field errors are added to the same fields by the
views. The profile is a partial update: only the fields a person changed are
sent, because several of them (country, company details, referral code) become immutable at VPSBG
and re-sending an unchanged value could be refused.
"""

from __future__ import annotations

from typing import Any

from django import forms

from panel.actions import account as actions
from panel.actions.forms import form_class

from .action_runs import page_form

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


class _ProfilePage(forms.Form):
    """PATCH /user: the profile and company details; blank numeric ids mean “keep as it is”."""

    reason = _reason_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["postal_code"].help_text = "Leave blank to keep the current one."
        self.order_fields([*PROFILE_FIELDS, "reason"])

    def add_error(self, field: str | None, error: Any) -> None:
        # The input type's rule that a company needs its name goes next to the name.
        if field is None and "company needs its name" in str(error):
            field = "company_name"
        super().add_error(field, error)

    def changes(self) -> dict[str, Any]:
        """The fields the person changed, as `user_update` input (unchanged ones are not sent),
        as the input type normalised them (a VAT number upper-cased...)."""
        values = self.input.model_dump()  # type: ignore[attr-defined]
        out: dict[str, Any] = {}
        for name in PROFILE_FIELDS:
            if name not in self.changed_data:
                continue
            value = values.get(name)
            if name in BOOLEAN_FIELDS:
                out[name] = bool(value)
            elif value is None or value == "":
                # A blank id keeps the current value; a cleared text is sent so VPSBG decides.
                if name not in ("country_id", "language_id", "uic"):
                    out[name] = ""
            else:
                out[name] = value.strip() if isinstance(value, str) else value
        return out


ProfileForm = page_form(actions.PROFILE_UPDATE, form_class(actions.ProfileInput, _ProfilePage))


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


def _otp_widget(field: forms.Field) -> None:
    field.widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"})
    field.help_text = "The 6 digits the app shows now."


class _TwoFactorEnablePage(forms.Form):
    """POST /user/2fa: the secret VPSBG issued (carried by the page) and a current code."""

    otp_auth_url = forms.CharField(widget=forms.HiddenInput, max_length=1000, required=False)
    reason = _reason_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret_key"].widget = forms.HiddenInput()
        _otp_widget(self.fields["otp"])
        self.order_fields(["secret_key", "otp_auth_url", "otp", "reason"])

    def clean_otp_auth_url(self) -> str:
        value = self.cleaned_data["otp_auth_url"].strip()
        return value if value.startswith("otpauth://") else ""


TwoFactorEnableForm = page_form(
    actions.TWO_FACTOR_ENABLE, form_class(actions.TwoFactorEnableInput, _TwoFactorEnablePage)
)


class _TwoFactorDisablePage(forms.Form):
    """DELETE /user/2fa: a current code and the account's e-mail typed (none given: none asked)."""

    confirm = forms.CharField(label="Type the account's e-mail address to confirm", max_length=254)
    reason = _reason_field()

    def __init__(self, *args: Any, email: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        _otp_widget(self.fields["otp"])
        if email is None:
            del self.fields["confirm"]
        else:
            self.fields["confirm"].help_text = f"Type “{email}”."
        self.order_fields(["otp", "confirm", "reason"])

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if self.email is not None and value.lower() != self.email.lower():
            raise forms.ValidationError(f"Type the e-mail address exactly: “{self.email}”.")
        return value


TwoFactorDisableForm = page_form(
    actions.TWO_FACTOR_DISABLE, form_class(actions.TwoFactorDisableInput, _TwoFactorDisablePage)
)


class AffiliateActivateForm(forms.Form):
    reason = _reason_field()


class _ReferralPage(forms.Form):
    reason = _reason_field()


ReferralCodeForm = page_form(actions.REFERRAL_CODE, form_class(actions.ReferralCodeInput, _ReferralPage))
