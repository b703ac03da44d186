"""Forms of the web pages: validation and labels here, so errors show next to their fields."""

from __future__ import annotations

from typing import Any

from django import forms

from panel.actions import library as library_actions
from panel.actions.forms import form_class
from panel.actions.servers import normal_hostname

from .action_runs import page_form

__all__ = [
    "IsoAddForm",
    "OwnIds",
    "ReverseDnsForm",
    "ServerFilterForm",
    "SshKeyForm",
    "SshKeyUpdateForm",
    "validate_hostname",
]


STATUS_CHOICES = (
    ("", "Active and suspended"),
    ("active", "Active"),
    ("processing", "Being set up"),
    ("suspended", "Suspended"),
    ("terminated", "Terminated"),
    ("all", "All"),
)
ALL_STATUSES = "active,processing,suspended,terminated"

SORT_CHOICES = (
    ("hostname", "Hostname"),
    ("-hostname", "Hostname (Z-A)"),
    ("state", "State"),
    ("plan", "Plan"),
    ("account", "Account"),
    ("expiry", "Expiry (soonest first)"),
    ("-expiry", "Expiry (latest first)"),
)

REASON_HELP = "Optional; kept in the audit log."


def _reason_field() -> forms.CharField:
    return forms.CharField(label="Reason", required=False, max_length=500, help_text=REASON_HELP)


class ServerFilterForm(forms.Form):
    """The servers list's search, filters and sort; bad values fall back to the defaults."""

    q = forms.CharField(label="Search", required=False, max_length=100, help_text="Hostname or IP address.")
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)
    account = forms.CharField(label="Account", required=False, max_length=255)
    plan = forms.CharField(label="Plan", required=False, max_length=100)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def upstream_status(self) -> str | None:
        value = self.cleaned_data.get("status") or ""
        if value == "all":
            return ALL_STATUSES
        return value or None


def validate_hostname(value: str) -> str:
    """A host name as VPSBG gets it; the rule is the server rename's (`panel.actions.servers`)."""
    try:
        return normal_hostname(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


class OwnIds:
    """A form that shares its page with others: its ids carry its name (`id_<name>_reason`), so
    the page's ids are unique and each label points at its own form's field."""

    ids = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.ids}_%s")
        super().__init__(*args, **kwargs)


class ReverseDnsForm(forms.Form):
    """The PTR record of one of the server's IP addresses (empty clears it)."""

    ip_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    ptr = forms.CharField(label="Reverse DNS (PTR)", max_length=253, required=False)
    reason = _reason_field()

    def clean_ptr(self) -> str:
        value = (self.cleaned_data.get("ptr") or "").strip()
        return validate_hostname(value) if value else ""


# -- library ---------------------------------------------------------------------------------------
MAX_UPLOAD = 64 * 1024 * 1024


class _LibraryPage(OwnIds, forms.Form):
    reason = _reason_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "key" in self.fields:
            self.fields["key"].widget.attrs.update({"rows": 3, "spellcheck": "false"})
        self.fields["reason"] = self.fields.pop("reason")  # the action's own fields first


class _KeyPage(_LibraryPage):
    ids = "key"


class _IsoPage(_LibraryPage):
    ids = "iso_add"


# Derived from the actions' input types (`panel.actions.library`), which hold every rule.
SshKeyForm = page_form(library_actions.SSH_KEY_CREATE, form_class(library_actions.SshKeyInput, _KeyPage))
SshKeyUpdateForm = page_form(
    library_actions.SSH_KEY_UPDATE, form_class(library_actions.SshKeyUpdateInput, _KeyPage)
)
IsoAddForm = page_form(library_actions.ISO_ADD, form_class(library_actions.IsoAddInput, _IsoPage))


class MeasuredBootUploadForm(OwnIds, forms.Form):
    ids = "boot"
    file = forms.FileField(label="Unified Kernel Image (.efi)", help_text="At most 64 MB.")
    reason = _reason_field()

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".efi"):
            raise forms.ValidationError("Choose an .efi file.")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 64 MB.")
        return upload


class DeleteForm(forms.Form):
    reason = _reason_field()
