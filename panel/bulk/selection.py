"""Which servers a selection names: chosen rows, or every server matching a servers-list filter.

A filter is the servers list's own query (`q`, `status`, `account`, `plan`), read by the list's
form, so "all that match this filter" here and on the list are the same servers. Schedules keep
such a query as a saved filter (`panel.schedules.targets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from django.http import QueryDict

from panel.core.errors import InvalidInput
from panel.services import aggregates
from panel.services.context import parse_server_ref

__all__ = ["Server", "describe_filter", "servers_matching"]

FILTER_KEYS = ("q", "status", "account", "plan")


@dataclass(frozen=True)
class Server:
    ref: str
    hostname: str


def _form(query: str) -> Any:
    from panel.web.forms import ServerFilterForm

    data = QueryDict(mutable=True)
    for key, values in parse_qs(query or "", keep_blank_values=False).items():
        if key in FILTER_KEYS:
            data.setlist(key, values[:1])
    form = ServerFilterForm(data)
    if not form.is_valid():
        raise InvalidInput("This filter cannot be read.", fields={"filter": ["Check the filter."]})
    return form


def clean_filter(query: str) -> str:
    """The filter's query with only the keys the servers list reads, in a stable order."""
    form = _form(query)
    kept = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        if form.cleaned_data.get(key):
            kept[key] = form.cleaned_data[key]
    return kept.urlencode()


def describe_filter(query: str) -> str:
    """A filter in words: “status Active, search “web””; “every server” when empty."""
    try:
        form = _form(query)
    except InvalidInput:
        return "an unreadable filter"
    data = form.cleaned_data
    parts = []
    if data.get("q"):
        parts.append(f"search “{data['q']}”")
    if data.get("status"):
        parts.append(f"status {dict(form.fields['status'].choices).get(data['status'], data['status'])}")
    if data.get("account"):
        parts.append(f"account {data['account']}")
    if data.get("plan"):
        parts.append(f"plan {data['plan']}")
    return ", ".join(parts) or "every active or suspended server"


def servers_matching(actor: Any, query: str) -> list[Server]:
    """The servers the list shows for this filter, now (within the member's scope)."""
    form = _form(query)
    data = form.cleaned_data
    result = aggregates.servers_list_all(
        actor=actor, status=form.upstream_status(), search=data.get("q") or None
    )
    found = []
    for item in result.items:
        if data.get("account") and item.ref.account_id != data["account"]:
            continue
        if data.get("plan") and not (item.server.plan and item.server.plan.name == data["plan"]):
            continue
        found.append(Server(str(item.ref), item.server.hostname or str(item.ref)))
    return sorted(found, key=lambda s: (s.hostname, s.ref))


def chosen(values: list[str]) -> list[str]:
    """Chosen rows' references, each checked, without repeats, in their order."""
    refs: list[str] = []
    for value in values:
        ref = str(parse_server_ref(value))
        if ref not in refs:
            refs.append(ref)
    return refs
