"""Forms of the server actions: each derived from its action's input type (`panel.actions`), on a
base that holds only what the page adds (the typed hostname, the audit reason, a password typed
twice, which backup or snapshot is meant).

Destructive or paying actions ask for the server's hostname typed in full, so a click in the wrong
tab cannot erase a server. Choices (images, plans, addresses...) are given by the view from what
VPSBG lists for the server's account; a value outside them is a field error, never a crash.
Actions declared elsewhere (snapshots, floating IPs) keep their hand-written forms until they are.
"""

from __future__ import annotations

from typing import Any

from django import forms

from panel.actions.base import NoInput
from panel.actions.forms import ConfirmForm as ActionForm
from panel.actions.forms import form_class
from panel.actions.server_billing import (
    BILLING_CYCLES as CYCLES,
)
from panel.actions.server_billing import (
    AddonCancelInput,
    AddonPurchaseInput,
    AddonRefInput,
    AddonsScaleInput,
    CancelInput,
    RenewInput,
    ScaleInput,
)
from panel.actions.servers import (
    PASSWORD_MIN,
    HostnameInput,
    IsosInput,
    MeasuredBootInput,
    PasswordInput,
    PrimaryIpInput,
    ReinstallInput,
    SshKeysInput,
)
from panel.actions.snapshots import RestoreInput, SnapshotCreateInput

from .forms import OwnIds

__all__ = [
    "ActionForm",
    "AddonCancelForm",
    "AddonPurchaseForm",
    "AddonScaleForm",
    "AddonUndoCancelForm",
    "BackupDeleteForm",
    "CancelForm",
    "FloatingIpForm",
    "HostnameForm",
    "IsoForm",
    "MeasuredBootForm",
    "PasswordForm",
    "PrimaryIpForm",
    "ReinstallForm",
    "RenewForm",
    "RescueForm",
    "RestoreForm",
    "ScaleForm",
    "SnapshotCreateForm",
    "SnapshotDeleteForm",
    "SnapshotPickForm",
    "SshKeysForm",
    "UndoCancelForm",
]

REASON_HELP = "Optional; kept in the audit log."
# The declarations' rules, labelled for the pages that still have their own forms (deploy, network).
BILLING_CYCLES = tuple((m, f"{m} month{'s' if m > 1 else ''}") for m in CYCLES)
MIN_PASSWORD = PASSWORD_MIN


class TwicePasswordForm(ActionForm):
    """The page's own check: the new password typed twice (the input type has the rules)."""

    password_again = forms.CharField(
        label="The password again",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = ["password", "password_again"]
        self.order_fields(names + [n for n in self.fields if n not in names])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != self.data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class CopyChoiceForm(ActionForm):
    """Which snapshot or backup of the server the action is about (`"<kind>:<id>"`)."""

    target = forms.ChoiceField(label="Snapshot or backup")

    def clean_target(self) -> tuple[str, int]:
        kind, _, ident = self.cleaned_data["target"].partition(":")
        return kind, int(ident)


# -- derived from the input types -------------------------------------------------------------------
ReinstallForm = form_class(ReinstallInput, base=ActionForm)
PasswordForm = form_class(PasswordInput, base=TwicePasswordForm)
RescueForm = form_class(NoInput, base=ActionForm)
PrimaryIpForm = form_class(PrimaryIpInput, base=ActionForm)
MeasuredBootForm = form_class(MeasuredBootInput, base=ActionForm)
RenewForm = form_class(RenewInput, base=ActionForm, fixed=("servers",))
ScaleForm = form_class(ScaleInput, base=ActionForm)
AddonPurchaseForm = form_class(AddonPurchaseInput, base=ActionForm)
AddonScaleForm = form_class(AddonsScaleInput, base=ActionForm)
AddonCancelForm = form_class(AddonCancelInput, base=ActionForm)
AddonUndoCancelForm = form_class(AddonRefInput, base=ActionForm)
CancelForm = form_class(CancelInput, base=ActionForm)
UndoCancelForm = form_class(NoInput, base=ActionForm)
BackupDeleteForm = form_class(NoInput, base=CopyChoiceForm)


# -- the server page's quick settings (no confirmation page) ---------------------------------------
class QuickForm(OwnIds, forms.Form):
    """A form on a tab of the server page: its own ids, the audit reason after the action's fields."""

    reason = forms.CharField(label="Reason", required=False, max_length=500, help_text=REASON_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = self.fields.pop("reason")


class HostnameBase(QuickForm):
    ids = "hostname"


class IsoBase(QuickForm):
    """Mount ISOs (choices are the account's ISOs); "None" unmounts."""

    ids = "iso"

    def __init__(self, *args: Any, isos: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        choices = [("", "None (unmounted)")] + [(i, name) for i, name in isos]
        self.fields["primary_iso_id"].choices = choices  # type: ignore[attr-defined]
        self.fields["secondary_iso_id"].choices = choices  # type: ignore[attr-defined]


class SshKeysBase(QuickForm):
    """Which of the account's SSH keys the server authorizes."""

    ids = "keys"

    def __init__(self, *args: Any, keys: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["ssh_keys"].choices = list(keys)  # type: ignore[attr-defined]


HostnameForm = form_class(HostnameInput, base=HostnameBase)
IsoForm = form_class(IsosInput, base=IsoBase)
SshKeysForm = form_class(SshKeysInput, base=SshKeysBase)


RestoreForm = form_class(RestoreInput, base=ActionForm)
SnapshotCreateForm = form_class(SnapshotCreateInput, base=ActionForm)


class SnapshotPick(ActionForm):
    """The snapshot a deletion targets, chosen among the server's (the action's target, not input)."""

    target = forms.TypedChoiceField(label="Snapshot", coerce=int)


SnapshotPickForm = form_class(NoInput, base=SnapshotPick)


SnapshotDeleteForm = CopyChoiceForm


class FloatingIpForm(ActionForm):
    floating_ip = forms.TypedChoiceField(label="Floating IP", coerce=int)
