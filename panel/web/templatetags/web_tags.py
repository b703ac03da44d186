"""Template helpers of the web pages."""

from __future__ import annotations

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def ref(account_id: object, object_id: object) -> str:
    """`"<account>:<id>"`, the panel's reference to one object of one VPSBG account."""
    return f"{account_id}:{object_id}"


@register.filter
def when(value: object) -> str:
    """A moment as people read it ("2025-11-16 03:20 UTC"), from a datetime or VPSBG's ISO text."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return str(value or "")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M} {timezone.get_current_timezone_name()}"


@register.filter
def action_words(action: str) -> str:
    """An audited action in words ("Create a snapshot"), not its operationId."""
    from panel.accounts.permissions import PANEL_ACTIONS, UPSTREAM_OPERATIONS

    if action in PANEL_ACTIONS:
        return PANEL_ACTIONS[action][0]
    operation = UPSTREAM_OPERATIONS.get(action)
    return operation.summary if operation else action.replace("_", " ").replace(".", " ").capitalize()


@register.simple_tag(takes_context=True)
def sort_th(context: template.Context, label: str, key: str, reversible: bool = False) -> str:
    """A sortable column header: a link to the same list (same filters) sorted by `key`; on the
    column sorted now, `aria-sort` says which way and, when `reversible`, the link turns it round."""
    from django.utils.html import format_html

    request = context["request"]
    current = context.get("sort") or ""
    query = request.GET.copy()
    query.pop("page", None)
    direction = {key: "ascending", f"-{key}": "descending"}.get(current)
    query["sort"] = f"-{key}" if reversible and current == key else key
    aria = format_html(' aria-sort="{}"', direction) if direction else ""
    link = format_html('<a class="sort" href="?{}">{}</a>', query.urlencode(), label)
    return format_html('<th scope="col"{}>{}</th>', aria, link)
