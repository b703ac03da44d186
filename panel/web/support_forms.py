"""Forms of the Support pages: tickets (with attachments) and support plans.

Validation lives here so errors show next to their fields and what the user typed is kept. The
limits on attachments are the panel's own (the reference states none): they keep one request's
uploads, which the client sends in memory, small, and they are said next to the field. Messages
are typed as plain text and sent as the HTML VPSBG accepts ("HTML allowed"), escaped, so a "<"
in a log excerpt reaches support as typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape, linebreaks

from panel.actions import billing as billing_actions
from panel.actions.forms import form_class

from .action_runs import page_form

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "PlanCancelForm",
    "PlanOrderForm",
    "ReasonForm",
    "ReplyForm",
    "ResolveForm",
    "TicketFilterForm",
    "TicketForm",
    "text_to_html",
]

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
STATUS_FILTERS = (("", "All tickets"), ("open", "Open (not resolved)"), ("closed", "Resolved or closed"))
ATTACHMENT_HELP = (
    f"Optional; up to {MAX_ATTACHMENTS} files of at most "
    f"{filesizeformat(MAX_ATTACHMENT_BYTES)} each (images, PDF, text or zip)."
)


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason (for the audit log)", required=False, max_length=500, help_text="Optional."
    )


def text_to_html(text: str) -> str:
    """Plain text as the HTML VPSBG takes: escaped, paragraphs and line breaks kept."""
    return linebreaks(escape(text.strip()))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files from one `<input type="file" multiple>` (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class _AttachmentsMixin:
    """Checks the number and the size of the files, naming the file that is too big."""

    cleaned_data: dict[str, Any]

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(f"Attach at most {MAX_ATTACHMENTS} files.")
        for upload in files:
            if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(
                    f"“{upload.name}” is {filesizeformat(upload.size)}; "
                    f"each file may be at most {filesizeformat(MAX_ATTACHMENT_BYTES)}."
                )
        return files

    def file_inputs(self) -> list[tuple[str, bytes, str]]:
        """The files as the service takes them: (name, content, content type)."""
        return [
            (f.name or "attachment", f.read(), f.content_type or "application/octet-stream")
            for f in self.cleaned_data.get("attachments") or []
        ]


def _message_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=5,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text; at least 5 characters.",
    )


class TicketForm(_AttachmentsMixin, forms.Form):
    """A new ticket; department and related-service choices come from VPSBG's lists."""

    department_id = forms.TypedChoiceField(label="Department", coerce=int)
    service = forms.ChoiceField(
        label="Related service", required=False, help_text="Optional: the server this is about."
    )
    subject = forms.CharField(label="Subject", min_length=3, max_length=255)
    message = _message_field("Message")
    attachments = MultipleFileField(label="Attachments", required=False, help_text=ATTACHMENT_HELP)
    reason = _reason_field()

    def __init__(
        self,
        *args: Any,
        departments: Sequence[tuple[Any, str]] = (),
        services: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department_id"].choices = [("", "Choose a department")] + [  # type: ignore[attr-defined]
            (str(value), label) for value, label in departments
        ]
        self.fields["service"].choices = [("", "None"), *services]  # type: ignore[attr-defined]

    def clean_message(self) -> str:
        return text_to_html(self.cleaned_data["message"])

    def related_service(self) -> tuple[int | None, str | None]:
        """(service_id, service_type) of the chosen related service, or (None, None)."""
        kind, _, ident = (self.cleaned_data.get("service") or "").partition(":")
        if not ident.isdigit():
            return None, None
        return int(ident), kind or None


class ReplyForm(_AttachmentsMixin, forms.Form):
    message = _message_field("Your reply")
    attachments = MultipleFileField(label="Attachments", required=False, help_text=ATTACHMENT_HELP)
    reason = _reason_field()

    def clean_message(self) -> str:
        return text_to_html(self.cleaned_data["message"])


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
