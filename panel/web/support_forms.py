"""Forms of the Support pages: tickets (with attachments) and support plans.

The ticket and plan forms are derived from their actions' input types (`panel.actions.support`,
`panel.actions.billing`), which hold every rule (the attachments' limits among them); the pages add
their own fields (a typed confirmation, the reason). Errors show next to their fields and what the
user typed is kept. Messages are typed as plain text and sent as the HTML VPSBG accepts ("HTML
allowed"), escaped, so a "<" in a log excerpt reaches support as typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.html import escape, linebreaks

from panel.actions import billing as billing_actions
from panel.actions import support as support_actions
from panel.actions.forms import form_class

from .action_runs import page_form

__all__ = [
    "PlanCancelForm",
    "PlanOrderForm",
    "ReasonForm",
    "ReplyForm",
    "ResolveForm",
    "TicketFilterForm",
    "TicketForm",
    "text_to_html",
]

STATUS_FILTERS = (("", "All tickets"), ("open", "Open (not resolved)"), ("closed", "Resolved or closed"))


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason (for the audit log)", required=False, max_length=500, help_text="Optional."
    )


def text_to_html(text: str) -> str:
    """Plain text as the HTML VPSBG takes: escaped, paragraphs and line breaks kept."""
    return linebreaks(escape(text.strip()))


class _TicketPage(forms.Form):
    """A new ticket: departments and related services come from VPSBG's lists (the page's offer)."""

    service = forms.ChoiceField(
        label="Related service", required=False, help_text="Optional: the server this is about."
    )
    reason = _reason_field()

    def __init__(
        self,
        data: Any = None,
        *args: Any,
        departments: Sequence[tuple[Any, str]] | None = None,
        services: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        if data is not None and data.get("service") is not None:  # "<type>:<id>" as the input's pair
            data = data.copy()
            kind, _, ident = str(data["service"]).partition(":")
            data["service_type"], data["service_id"] = (kind, ident) if ident.isdigit() else ("", "")
        super().__init__(data, *args, **kwargs)
        if departments is not None:
            self.fields["department_id"].choices = [  # type: ignore[attr-defined]
                ("", "Choose a department"),
                *((str(value), label) for value, label in departments),
            ]
        self.fields["service"].choices = [("", "None"), *services]  # type: ignore[attr-defined]
        self.fields["message"].widget.attrs["rows"] = 8
        self.fields["message"].help_text = "Plain text; at least 5 characters."
        for name in ("service_id", "service_type"):
            self.fields[name].widget = forms.HiddenInput()
        self.order_fields(["department_id", "service", "subject", "message", "attachments", "reason"])

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error("service" if field in ("service_id", "service_type") else field, error)

    def html_input(self) -> Any:
        """The input with the message as the HTML VPSBG takes."""
        return self.input.model_copy(update={"message": text_to_html(self.input.message)})  # type: ignore[attr-defined]


class _ReplyPage(forms.Form):
    reason = _reason_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message"].widget.attrs["rows"] = 8
        self.fields["message"].help_text = "Plain text; at least 5 characters."

    def html_input(self) -> Any:
        return self.input.model_copy(update={"message": text_to_html(self.input.message)})  # type: ignore[attr-defined]


# Derived from the actions' input types (`panel.actions.support`): the message's length and the
# attachments' number and size are theirs.
TicketForm = page_form(support_actions.TICKET_CREATE, form_class(support_actions.TicketInput, _TicketPage))
ReplyForm = page_form(support_actions.TICKET_REPLY, form_class(support_actions.TicketReplyInput, _ReplyPage))


class TicketFilterForm(forms.Form):
    """The tickets list's status filter and page; bad values fall back to the defaults."""

    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_FILTERS)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def values(self) -> tuple[str, int]:
        if not self.is_valid():
            return "", 1
        return self.cleaned_data.get("status") or "", self.cleaned_data.get("page") or 1


class _TypedConfirmForm(forms.Form):
    """Base of the confirmations: a one-time request key and the identifying text typed in full."""

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    confirm = forms.CharField(
        max_length=255, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    reason = _reason_field()

    def __init__(self, *args: Any, expected: str | None = None, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected
        if expected is None:  # nothing to type (a check of the input's rules alone)
            del self.fields["confirm"]
        else:
            self.fields["confirm"].label = label
            self.fields["confirm"].help_text = f"Type “{expected}”."
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)

    def clean_confirm(self) -> str:
        value = (self.cleaned_data.get("confirm") or "").strip()
        if self.expected is not None and value.lower().lstrip("#") != self.expected.lower():
            raise forms.ValidationError(f"Type it exactly: “{self.expected}”.")
        return value


class ResolveForm(_TypedConfirmForm):
    pass


class _PlanOrderPage(_TypedConfirmForm):
    """Purchase or renew: the billing period (its price is shown beside each choice)."""

    def __init__(self, *args: Any, cycle_labels: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["billing_cycle"]
        field.widget = forms.RadioSelect(choices=field.choices)  # type: ignore[attr-defined]
        if cycle_labels:
            field.choices = [(str(c), label) for c, label in cycle_labels]  # type: ignore[attr-defined]
        self.order_fields(["request_key", "billing_cycle", "confirm", "reason"])


# The plan's key comes from the page (its URL or the active plan): the period is what is chosen.
PlanOrderForm = page_form(
    billing_actions.PLAN_RENEW, form_class(billing_actions.PlanRenewInput, _PlanOrderPage)
)


class PlanCancelForm(_TypedConfirmForm):
    when = forms.ChoiceField(
        label="When",
        widget=forms.RadioSelect,
        initial="end",
        choices=(("end", "At the end of the paid period"), ("now", "Now (no refund is promised)")),
    )
    reason = forms.CharField(
        label="Reason (sent to VPSBG and kept in the audit log)", required=False, max_length=500
    )


class ReasonForm(forms.Form):
    reason = _reason_field()
