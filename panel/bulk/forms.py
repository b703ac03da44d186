"""The bulk confirmation form: the chosen servers, the action's own input (derived from its input
type), an optional reason, and the number of servers typed in full to confirm."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from panel.actions.base import Action
from panel.actions.forms import form_class


class BulkForm(forms.Form):
    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)
    servers = forms.MultipleChoiceField(widget=forms.MultipleHiddenInput)
    reason = forms.CharField(
        label="Reason (optional)", max_length=500, required=False, help_text="Kept in the audit log."
    )
    confirm_count = forms.IntegerField(
        label="Type the number of servers to confirm",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, servers: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chosen = servers or []
        self.fields["servers"].choices = self.chosen
        count = len(self.chosen)
        self.fields["confirm_count"].help_text = f"Type “{count}”: this runs on {count} servers."
        for name in ("reason", "confirm_count"):  # the action's own fields first
            self.fields[name] = self.fields.pop(name)
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)
            self.initial.setdefault("servers", [ref for ref, _ in self.chosen])

    def clean_confirm_count(self) -> int:
        value = self.cleaned_data["confirm_count"]
        if value != len(self.chosen):
            raise forms.ValidationError(f"Type the number of servers exactly: “{len(self.chosen)}”.")
        return value


def bulk_form(action: Action) -> type[BulkForm]:
    """The confirmation form of `action`: its input type's fields on `BulkForm`."""
    return form_class(action.input, base=BulkForm)
