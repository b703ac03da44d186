"""The guardrails' forms: the one place their input rules live (pages and API both validate here)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import available_timezones

from django import forms

from panel.accounts.permissions import PANEL_ACTIONS, UPSTREAM_OPERATIONS
from panel.accounts.roles import Role
from panel.actions.base import Risk

from .freezes import MAX_BREAK_MINUTES
from .models import (
    MAX_ELEVATION_MINUTES,
    WEEKDAYS,
    ApprovalRule,
    Budget,
    Freeze,
    FreezeKind,
    FreezeScope,
    OnExceed,
)

APPROVER_ROLES = [(r.value, r.label) for r in Role if r != Role.VIEWER]
CURRENCY = forms.RegexField(
    regex=r"^[A-Za-z]{3}$",
    initial="EUR",
    max_length=3,
    error_messages={"invalid": "Three letters, e.g. EUR."},
)


def _amount(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
    )


def action_names() -> list[tuple[str, str]]:
    names = sorted(
        set(UPSTREAM_OPERATIONS) - {n for n, op in UPSTREAM_OPERATIONS.items() if op.method == "GET"}
    )
    return [("", "— any (use the risk class) —")] + [
        (n, f"{UPSTREAM_OPERATIONS[n].summary} ({n})") for n in names if n not in PANEL_ACTIONS
    ]


class RuleForm(forms.ModelForm):
    risk = forms.ChoiceField(
        label="Risk class",
        required=False,
        choices=[("", "— any (use the action) —")] + [(r.value, r.value.capitalize()) for r in Risk],
    )
    action_name = forms.ChoiceField(label="Action", required=False, choices=())
    min_amount = _amount("Paying actions from this amount", "Empty: whatever they cost.")
    currency = CURRENCY
    approvals_required = forms.TypedChoiceField(
        label="Approvals needed", coerce=int, choices=[(1, "1"), (2, "2")]
    )
    approver_roles = forms.MultipleChoiceField(
        label="Approvers' roles",
        choices=APPROVER_ROLES,
        widget=forms.CheckboxSelectMultiple,
        initial=["owner", "admin"],
    )

    class Meta:
        model = ApprovalRule
        fields = [
            "risk",
            "action_name",
            "min_amount",
            "currency",
            "approvals_required",
            "approver_roles",
            "enabled",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_name"].choices = action_names()

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("risk") and not data.get("action_name"):
            raise forms.ValidationError("Choose a risk class or an action (or both).")
        if data.get("min_amount") is not None and data.get("risk") not in ("", Risk.PAYING):
            self.add_error("min_amount", "An amount applies to paying actions only.")
        return data


class BudgetForm(forms.ModelForm):
    account_id = forms.CharField(
        label="VPSBG account", required=False, max_length=255, help_text="Empty: the whole team."
    )
    monthly_limit = _amount("Monthly budget")
    per_order_limit = _amount("Per-order limit")
    currency = CURRENCY
    on_exceed = forms.ChoiceField(label="When a limit would be passed", choices=OnExceed.choices)
    approvals_required = forms.TypedChoiceField(
        label="Approvals needed", coerce=int, choices=[(1, "1"), (2, "2")]
    )
    approver_roles = forms.MultipleChoiceField(
        label="Approvers' roles",
        choices=APPROVER_ROLES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=["owner"],
    )

    class Meta:
        model = Budget
        fields = [
            "account_id",
            "monthly_limit",
            "per_order_limit",
            "currency",
            "on_exceed",
            "approvals_required",
            "approver_roles",
        ]

    def __init__(self, *args: Any, accounts: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account_id"] = forms.ChoiceField(
                label="VPSBG account", required=False, choices=[("", "The whole team"), *accounts]
            )

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("monthly_limit") is None and data.get("per_order_limit") is None:
            raise forms.ValidationError("Set a monthly budget, a per-order limit, or both.")
        if data.get("on_exceed") == OnExceed.APPROVE and not data.get("approver_roles"):
            self.add_error("approver_roles", "Say who approves what passes a limit.")
        return data


class FreezeForm(forms.ModelForm):
    name = forms.CharField(max_length=100)
    scope = forms.ChoiceField(label="Refuses", choices=FreezeScope.choices)
    kind = forms.ChoiceField(label="Window", choices=FreezeKind.choices)
    starts_at = forms.DateTimeField(
        label="From (one-off)", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Until (one-off)", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Days (weekly)",
        required=False,
        coerce=int,
        choices=list(enumerate(WEEKDAYS)),
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label="From (weekly)", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label="Until (weekly)", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = forms.CharField(label="Time zone", max_length=64, initial="UTC")

    class Meta:
        model = Freeze
        fields = [
            "name",
            "scope",
            "kind",
            "starts_at",
            "ends_at",
            "weekdays",
            "start_time",
            "end_time",
            "time_zone",
            "enabled",
        ]

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if value not in available_timezones():
            raise forms.ValidationError("An IANA time zone, e.g. Europe/Sofia.")
        return value

    def clean(self) -> dict[str, Any]:
        """One-off dates are moments: typed on the page in the member's time zone, or sent with
        an offset through the API (UTC without one). Weekly times are in the freeze's zone."""
        data = super().clean()
        if data.get("kind") == FreezeKind.ONCE:
            start, end = data.get("starts_at"), data.get("ends_at")
            if start is None or end is None:
                raise forms.ValidationError("A one-off window needs its start and its end.")
            if end <= start:
                self.add_error("ends_at", "The end comes after the start.")
            data["weekdays"], data["start_time"], data["end_time"] = [], None, None
        elif data.get("kind") == FreezeKind.WEEKLY:
            if not data.get("weekdays") or data.get("start_time") is None or data.get("end_time") is None:
                raise forms.ValidationError(
                    "A weekly window needs its days, its start time and its end time."
                )
            if data["start_time"] == data["end_time"]:
                self.add_error("end_time", "The window must last some time.")
            data["starts_at"], data["ends_at"] = None, None
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    code = forms.CharField(
        label="Second-factor code",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ElevationForm(forms.Form):
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in Role if r not in (Role.OWNER, Role.VIEWER)])
    minutes = forms.TypedChoiceField(
        label="For",
        coerce=int,
        initial=60,
        choices=[
            (m, f"{m // 60} h" if m % 60 == 0 else f"{m} min")
            for m in (15, 30, 60, 120, 240, MAX_ELEVATION_MINUTES)
        ],
    )
    reason = forms.CharField(min_length=5, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class BreakGlassForm(forms.Form):
    reason = forms.CharField(min_length=5, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.IntegerField(label="For (minutes)", min_value=1, max_value=MAX_BREAK_MINUTES, initial=60)
