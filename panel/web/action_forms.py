"""Forms of the server actions that need a confirmation page (reinstall, restore, scale, ...).

Destructive or paying actions ask for the server's hostname typed in full, so a click in the wrong
tab cannot erase a server. Choices (images, snapshots, plans...) are given by the view from what
VPSBG lists for the server's account; a value outside them is a field error, never a crash.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from panel.actions.base import NoInput
from panel.actions.forms import form_class
from panel.actions.servers import ReinstallInput
from panel.actions.snapshots import RestoreInput, SnapshotCreateInput

__all__ = [
    "ActionForm",
    "CancelForm",
    "PasswordForm",
    "PrimaryIpForm",
    "ReinstallForm",
    "RenewForm",
    "RestoreForm",
    "ScaleForm",
    "SnapshotCreateForm",
    "SnapshotDeleteForm",
    "SnapshotPickForm",
]

BILLING_CYCLES = ((1, "1 month"), (3, "3 months"), (6, "6 months"), (12, "12 months"), (24, "24 months"))
MIN_PASSWORD = 12


class ActionForm(forms.Form):
    """Base: an idempotency key (one operation per page load), an optional reason for the audit log
    and, when asked, the typed hostname."""

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    confirm_hostname = forms.CharField(
        label="Type the server's hostname to confirm",
        max_length=253,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label="Reason (optional)", max_length=500, required=False, help_text="Kept in the audit log."
    )

    def __init__(
        self,
        *args: Any,
        hostname: str = "",
        confirm: bool = True,
        choices: dict[str, list[tuple[Any, str]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hostname = hostname
        if not confirm:
            del self.fields["confirm_hostname"]
        else:
            self.fields["confirm_hostname"].help_text = f"Type “{hostname}”."
        # The action's own fields first, then why (for the audit log) and the typed confirmation.
        for name in ("reason", "confirm_hostname"):
            if name in self.fields:
                self.fields[name] = self.fields.pop(name)
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)
        for name, options in (choices or {}).items():
            field = self.fields[name]
            field.choices = [(str(value), label) for value, label in options]  # type: ignore[attr-defined]

    def clean_confirm_hostname(self) -> str:
        value = (self.cleaned_data.get("confirm_hostname") or "").strip()
        if value.lower() != self.hostname.lower():
            raise forms.ValidationError(f"Type the hostname exactly: “{self.hostname}”.")
        return value


# Converted to `panel.actions`: the form is derived from the action's input type.
ReinstallForm = form_class(ReinstallInput, base=ActionForm)


RestoreForm = form_class(RestoreInput, base=ActionForm)
SnapshotCreateForm = form_class(SnapshotCreateInput, base=ActionForm)


class SnapshotPick(ActionForm):
    """The snapshot a deletion targets, chosen among the server's (the action's target, not input)."""

    target = forms.TypedChoiceField(label="Snapshot", coerce=int)


SnapshotPickForm = form_class(NoInput, base=SnapshotPick)


class SnapshotDeleteForm(ActionForm):
    target = forms.ChoiceField(label="Snapshot or backup")

    def clean_target(self) -> tuple[str, int]:
        kind, _, ident = self.cleaned_data["target"].partition(":")
        return kind, int(ident)


class PasswordForm(ActionForm):
    password = forms.CharField(
        label="New root password",
        min_length=MIN_PASSWORD,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=f"At least {MIN_PASSWORD} characters. The server reboots to apply it.",
    )
    password_again = forms.CharField(
        label="The password again",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class PrimaryIpForm(ActionForm):
    ip_id = forms.TypedChoiceField(label="New primary address", coerce=int)


class RenewForm(ActionForm):
    billing_cycle = forms.TypedChoiceField(label="Renew for", coerce=int, choices=BILLING_CYCLES)


class ScaleForm(ActionForm):
    plan = forms.ChoiceField(label="New plan")
    scale_disk = forms.BooleanField(
        label="Grow the disk too",
        required=False,
        help_text="A larger disk cannot be made smaller again.",
    )


class CancelForm(ActionForm):
    now = forms.BooleanField(
        label="Cancel now instead of at the end of the paid period",
        required=False,
        help_text="The server and its data are deleted at once.",
    )


class UndoCancelForm(ActionForm):
    """Only the reason: withdrawing a cancellation needs no other choice."""


class RescueForm(ActionForm):
    pass


class AddonPurchaseForm(ActionForm):
    addon = forms.ChoiceField(label="Addon")


class AddonScaleForm(ActionForm):
    cpanel = forms.ChoiceField(
        label="cPanel licence",
        required=False,
        choices=(
            ("", "No change"),
            ("cpanel-admin-5", "cPanel Admin (5 accounts)"),
            ("cpanel-pro-30", "cPanel Pro (30 accounts)"),
            ("cpanel-plus-50", "cPanel Plus (50 accounts)"),
            ("cpanel-premier-100", "cPanel Premier (100 accounts)"),
        ),
    )
    microsoft_rds_sal = forms.IntegerField(
        label="Microsoft RDS licences", required=False, min_value=1, max_value=1000
    )
    microsoft_office_sal = forms.IntegerField(
        label="Microsoft Office licences", required=False, min_value=1, max_value=1000
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("cpanel") or data.get("microsoft_rds_sal") or data.get("microsoft_office_sal")):
            raise forms.ValidationError("Choose at least one addon to change.")
        return data


class AddonCancelForm(ActionForm):
    addon = forms.TypedChoiceField(label="Addon", coerce=int)
    now = forms.BooleanField(label="End it now instead of at the end of the paid period", required=False)


class AddonUndoCancelForm(ActionForm):
    addon = forms.TypedChoiceField(label="Addon", coerce=int)


class FloatingIpForm(ActionForm):
    floating_ip = forms.TypedChoiceField(label="Floating IP", coerce=int)


class MeasuredBootForm(ActionForm):
    kernel_image_id = forms.TypedChoiceField(
        label="Kernel image",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="None turns measured boot off.",
    )
