"""The new-schedule form: name, target, timing, retention, and the action's own input (derived from
its input type). The rules live in `services.create`; the form only collects and shows them."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms

from panel.actions.base import Action
from panel.actions.forms import form_class

from .models import TargetKind
from .services import INTERVAL_MAX, KEEP_MAX


@cache
def zone_choices() -> list[tuple[str, str]]:
    names = sorted(n for n in available_timezones() if "/" in n or n == "UTC")
    return [(name, name.replace("_", " ")) for name in names]


class ScheduleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="E.g. “Nightly snapshots of web servers”.")
    target_kind = forms.ChoiceField(label="Run on", choices=TargetKind.choices, widget=forms.RadioSelect)
    server = forms.ChoiceField(label="Server", required=False)
    label = forms.CharField(
        label="Label", required=False, max_length=40, help_text="Servers carrying this label when it runs."
    )
    filter = forms.CharField(
        label="Filter",
        required=False,
        max_length=500,
        help_text="The servers list's filter (as in its address, e.g. status=active&q=web): "
        "the servers matching it when it runs.",
    )
    interval_minutes = forms.IntegerField(
        label="Every (minutes)", required=False, min_value=5, max_value=INTERVAL_MAX,
        help_text="Either an interval, e.g. 1440 for daily…",
    )  # fmt: skip
    cron = forms.CharField(
        label="Or a cron expression", required=False, max_length=100,
        help_text="Minute, hour, day of month, month, day of week, e.g. “0 3 * * *” for 03:00 every day.",
    )  # fmt: skip
    time_zone = forms.ChoiceField(label="Time zone", help_text="The cron's times are read here.")
    keep_last = forms.IntegerField(
        label="Keep the last", required=False, min_value=1, max_value=KEEP_MAX,
        help_text="Snapshots this schedule made, per server; older ones it made are deleted. "
        "Empty: keep all.",
    )  # fmt: skip

    def __init__(
        self, *args: Any, servers: list[tuple[str, str]] | None = None, snapshots: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["server"].choices = [("", "—"), *(servers or [])]
        self.fields["time_zone"].choices = zone_choices()
        if not snapshots:
            del self.fields["keep_last"]

    def target_value(self) -> str:
        kind = self.cleaned_data.get("target_kind")
        field = {"server": "server", "label": "label"}.get(kind or "", "filter")
        return str(self.cleaned_data.get(field) or "")


def schedule_form(action: Action) -> type[ScheduleForm]:
    return form_class(action.input, base=ScheduleForm)
