"""Forms of the web pages: validation and labels here, so errors show next to their fields."""

from __future__ import annotations

from typing import Any

from django import forms

from panel.actions.servers import normal_hostname

__all__ = ["OwnIds", "ReverseDnsForm", "ServerFilterForm", "validate_hostname"]


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
SSH_KEY_TYPES = ("ssh-rsa", "ssh-ed25519", "ecdsa-sha2-", "sk-ssh-ed25519", "sk-ecdsa-sha2-")
MAX_UPLOAD = 64 * 1024 * 1024


class SshKeyForm(OwnIds, forms.Form):
    ids = "key"
    name = forms.CharField(label="Name", max_length=100)
    key = forms.CharField(
        label="Public key",
        max_length=16_000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One OpenSSH public key line, e.g. “ssh-ed25519 AAAA… you@laptop”.",
    )
    reason = _reason_field()

    def clean_key(self) -> str:
        value = " ".join(self.cleaned_data["key"].split())
        if not value.startswith(SSH_KEY_TYPES) or len(value.split(" ")) < 2:
            raise forms.ValidationError(
                "This is not an OpenSSH public key (it starts with ssh-ed25519, ssh-rsa…)."
            )
        if "PRIVATE KEY" in value:
            raise forms.ValidationError(
                "This is a private key: never paste it anywhere. Paste the .pub file."
            )
        return value


class IsoAddForm(OwnIds, forms.Form):
    ids = "iso_add"
    name = forms.CharField(
        label="File name", max_length=120, help_text="Ends with .iso, e.g. alpine-3.20.iso."
    )
    url = forms.URLField(
        label="Download URL",
        max_length=2000,
        assume_scheme="https",
        help_text="VPSBG downloads the ISO from here.",
    )
    reason = _reason_field()

    def clean_name(self) -> str:
        value = self.cleaned_data["name"].strip()
        if not value.lower().endswith(".iso"):
            raise forms.ValidationError("The name must end with .iso.")
        return value


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
