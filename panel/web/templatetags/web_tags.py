"""Template helpers of the web pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()

_SERVER_ROW = (
    '<tr><td data-label="Hostname"><a href="{url}">{hostname}</a></td>'
    '<td data-label="State"><span class="state state-{state}">{state_label}</span></td>'
    '<td data-label="Main IP">{ips}</td><td data-label="Plan">{plan}</td>'
    '<td data-label="Account">{account}</td><td data-label="Expires">{expires}</td></tr>'
)
_SELECTABLE_ROW = _SERVER_ROW.replace(
    "<tr>",
    '<tr><td class="select"><input type="checkbox" name="servers" value="{ref}" form="bulk-form" '
    'aria-label="Select {hostname}"></td>',
    1,
)


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


@register.filter
def server_rows(rows: Iterable[dict[str, Any]], selectable: bool = False) -> SafeString:
    """The servers table's rows, escaped by `format_html` as the template would escape them.

    `selectable`: each row starts with a checkbox of the bulk actions form (`form="bulk-form"`).

    Written here rather than as a template loop: fifty rows of eight cells cost the template
    engine ~3 ms of CPU, a third of the page (bench/web_load.py), and this ~0.3 ms.
    """

    def cells(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "ips": format_html_join("", "<code>{}</code>", ((ip,) for ip in row["ips"]))}

    if selectable:
        return format_html_join("\n", _SELECTABLE_ROW, (cells(row) for row in rows))
    return format_html_join("\n", _SERVER_ROW, (cells(row) for row in rows))


@register.simple_tag(takes_context=True)
def sort_th(
    context: template.Context, label: str, key: str, reversible: bool = False, by: Any = None, css: str = ""
) -> str:
    """A sortable column header: a link to the same list (same filters, first page) sorted by `key`;
    on the column sorted now, `aria-sort` says which way and, when `reversible`, the link turns it
    round.

    `by` is the table's `panel.core.sorting.Sorted`: it names the query parameter and the current
    order, every column turns round, and when its order names the table's element the link also
    asks htmx to fetch the sorted list and swap only that element (the URL still changes, so the
    order can be shared). Without `by`, the list is the page's `sort` (the servers list).
    """
    from django.utils.html import format_html

    query = context["request"].GET.copy()
    table = ""
    if by is not None:
        param, current, reversible, table = by.order.param, by.key, True, by.order.table
        query.pop(by.order.page_param, None)
    else:
        param, current = "sort", context.get("sort") or ""
        query.pop("page", None)
    direction = {key: "ascending", f"-{key}": "descending"}.get(current)
    query[param] = f"-{key}" if reversible and current == key else key
    href = f"?{query.urlencode()}"
    swap = ' hx-get="{0}" hx-target="#{1}" hx-select="#{1}" hx-swap="outerHTML" hx-push-url="true"'
    hx = format_html(swap, href, table) if table else ""
    aria = format_html(' aria-sort="{}"', direction) if direction else ""
    cls = format_html(' class="{}"', css) if css else ""
    anchor = f"#{table}" if table else ""  # without htmx, the reloaded page opens at the table
    link = format_html('<a class="sort" href="{}{}"{}>{}</a>', href, anchor, hx, label)
    return format_html('<th scope="col"{}{}>{}</th>', cls, aria, link)
