"""Filters of the review pages and exports (one FilterSet, so the export is exactly what is listed)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from panel.accounts.models import Team

from .models import AuditEvent, Outcome

Events = QuerySet[AuditEvent]


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


class AuditEventFilter(django_filters.FilterSet):
    """Actor, team (staff only), action, target, outcome, date range (UTC days) and free text."""

    q = django_filters.CharFilter(method="filter_search", label="Search")
    actor = django_filters.CharFilter(method="filter_actor", label="Actor")
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.order_by("name"), field_name="team_ref_id", method="filter_team", label="Team"
    )
    action = django_filters.CharFilter(
        method="filter_action", label="Action", widget=forms.TextInput(attrs={"list": "audit-actions"})
    )
    target = django_filters.CharFilter(method="filter_target", label="Target")
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label="Outcome", empty_label="Any outcome")
    date_from = django_filters.DateFilter(
        method="filter_date_from", label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", label="To (UTC, inclusive)", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args: object, show_team: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not show_team:
            # A team member reviews their own team; the field would only leak other teams' names.
            del self.filters["team"]

    def filter_search(self, queryset: Events, name: str, value: str) -> Events:
        value = value.strip()
        if not value:
            return queryset
        query = (
            Q(actor_name__icontains=value)
            | Q(actor_api_token__icontains=value)
            | Q(team_name__icontains=value)
            | Q(operation_id__icontains=value)
            | Q(target_type__icontains=value)
            | Q(target_id__icontains=value)
            | Q(target_label__icontains=value)
            | Q(token_name__icontains=value)
            | Q(upstream_message__icontains=value)
            | Q(request_id__icontains=value)
            | Q(client_ip__icontains=value)
            | Q(reason__icontains=value)
        )
        return queryset.filter(query)

    def filter_actor(self, queryset: Events, name: str, value: str) -> Events:
        value = value.strip()
        if not value:
            return queryset
        query = Q(actor_name__icontains=value) | Q(actor_api_token__icontains=value)
        if value.isdigit():
            query |= Q(actor_user_id=int(value))
        return queryset.filter(query)

    def filter_team(self, queryset: Events, name: str, value: Team | None) -> Events:
        return queryset.filter(team_ref_id=value.pk) if value is not None else queryset

    def filter_action(self, queryset: Events, name: str, value: str) -> Events:
        value = value.strip()
        return queryset.filter(operation_id__icontains=value) if value else queryset

    def filter_target(self, queryset: Events, name: str, value: str) -> Events:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(target_type__icontains=value) | Q(target_id__iexact=value) | Q(target_label__icontains=value)
        )

    def filter_date_from(self, queryset: Events, name: str, value: dt.date) -> Events:
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_date_to(self, queryset: Events, name: str, value: dt.date) -> Events:
        if value >= dt.date.max:
            return queryset
        return queryset.filter(created_at__lt=_start_of(value + dt.timedelta(days=1)))
