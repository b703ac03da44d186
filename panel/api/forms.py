"""The form that creates a panel API token."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from panel.core.errors import InvalidInput

from .tokens import parse_allowed_ips

EXPIRY_CHOICES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("7", "7 days"),
    ("never", "Never"),
]


class CreateTokenForm(forms.Form):
    label = forms.CharField(max_length=100, help_text="What uses it, e.g. “backup script on ops-1”.")
    read_only = forms.BooleanField(required=False, help_text="Only reads: every change is refused.")
    expires_in = forms.ChoiceField(choices=EXPIRY_CHOICES, initial="90", label="Expires in")
    allowed_ips = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Allowed addresses",
        help_text="Optional: IP addresses or networks (CIDR), one per line. Empty = any address.",
    )

    def clean_allowed_ips(self) -> list[str]:
        try:
            return parse_allowed_ips(self.cleaned_data.get("allowed_ips") or "")
        except InvalidInput as exc:
            raise forms.ValidationError(exc.fields.get("allowed_ips", [exc.message])) from None

    def expires_at(self) -> datetime | None:
        choice = self.cleaned_data["expires_in"]
        return None if choice == "never" else timezone.now() + timedelta(days=int(choice))
