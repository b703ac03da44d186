"""Network: an account's floating IPs, and the DDoS network protection of its protected addresses.

The network page belongs to one VPSBG account (`?account=`, like the Library page): its floating
IPs with their plan, price and renewal, the plans one can buy, and the protected addresses. A
protected address is an `IpAddress` with `ddos_protected` (the reference's network-protection `{id}`
is that address's id, never a server id): DDoS-protected floating IPs and servers' protected
addresses. Each address has a protection page (overview, traffic chart, blocked IPs, attacks) with
the editors of its geo filter, whitelist and blacklist.

Buying runs as a long operation (`floating_ip_purchase`); cancelling and the filters are single
VPSBG calls. Each section of a page fails on its own, with a retry; the services refuse what a
role may not do, and the pages do not offer it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from panel.accounts.decorators import team_permission_required
from panel.actions.base import Action
from panel.actions.inputs import BillingCycle
from panel.actions.network import (
    BLACKLIST_DELETE,
    BLACKLIST_SET,
    BLACKLIST_UPDATE,
    FLOATING_IP_CANCEL,
    FLOATING_IP_PURCHASE,
    FLOATING_IP_UNDO_CANCEL,
    GEO_DELETE,
    GEO_SET,
    GEO_UPDATE,
    MAX_IPS_AT_ONCE,
    WHITELIST_DELETE,
    WHITELIST_SET,
    WHITELIST_UPDATE,
)
from panel.core.errors import InvalidInput, NotFoundError, PanelError
from panel.core.sorting import SortOrder, ip_order, sort_rows
from panel.services import network, servers
from panel.services.context import Ref
from panel.services.registry import reaches

from .. import action_runs
from .. import network_forms as nf
from ..common import (
    Problem,
    account_choice,
    actor_for,
    allowed_actions,
    chosen_account,
    object_ref,
    problem_from,
    team_accounts,
)

FLOATING_WRITES = (
    "floating_ips_purchase", "floating_ips_cancel", "floating_ips_cancel_undo",
    "floating_ips_attach", "floating_ips_detach",
)  # fmt: skip
PROTECTION_WRITES = (
    "network_protection_geo_set", "network_protection_geo_update", "network_protection_geo_delete",
    "network_protection_whitelist_set", "network_protection_whitelist_update",
    "network_protection_whitelist_delete", "network_protection_blacklist_set",
    "network_protection_blacklist_update", "network_protection_blacklist_delete",
)  # fmt: skip
PER_PAGE = 50
MAX_PAGES = 20
BANDWIDTH_RANGES = {"7": 7, "30": 30}  # days; VPSBG's default (no range) is the last 24 hours
ATTACK_RANGES = {"7": 7, "30": 30, "90": 90}
ATTACK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TIME_KEYS = ("timestamp", "time", "t", "date")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
HEADERS = {"ip": "Address", "blocked_at": "Blocked", "expires_at": "Until"}


# -- small helpers ----------------------------------------------------------------------------------
def _network_url(account: str | None, anchor: str = "") -> str:
    query = f"?{urlencode({'account': account})}" if account else ""
    return f"{reverse('web:network')}{query}{'#' + anchor if anchor else ''}"


def _protection_url(ref: Ref | str, anchor: str = "") -> str:
    return f"{reverse('web:network_protection', kwargs={'ref': str(ref)})}{'#' + anchor if anchor else ''}"


def _read(fetch: Callable[[], Any]) -> tuple[Any, Problem | None]:
    """One section's data, or the problem that stopped it (shown in place, with a retry)."""
    try:
        return fetch(), None
    except PanelError as exc:
        return None, problem_from(exc)


def _walk(fetch: Callable[[int], Any]) -> list[Any]:
    """Every item of a paginated list (bounded: `MAX_PAGES` pages of `PER_PAGE`)."""
    items: list[Any] = []
    for number in range(1, MAX_PAGES + 1):
        page = fetch(number)
        items.extend(page)
        if not getattr(page, "has_next", False):
            break
    return items


def _floating_ips(request: HttpRequest, account: str) -> list[Any]:
    actor = actor_for(request)
    return _walk(
        # VPSBG's default statuses (active, suspended): the reference names no others.
        lambda n: network.floating_ips_list(actor=actor, account=account, page=n, per_page=PER_PAGE)
    )


def _servers(request: HttpRequest, account: str) -> list[Any]:
    actor = actor_for(request)
    return _walk(lambda n: servers.servers_list(actor=actor, account=account, page=n, per_page=PER_PAGE))


def _address(fip: Any) -> str:
    ip = fip.ip_address
    return ip.ip_address if ip is not None and ip.ip_address else f"#{fip.id}"


def _apply_upstream_errors(
    form: forms.Form, exc: InvalidInput, sent: dict[str, list[str]] | None = None
) -> None:
    """VPSBG's field errors next to our fields; `networks.3` names the entry it refused."""
    sent = sent or {}
    for name, errors in exc.fields.items():
        field, _, index = name.partition(".")
        value = ""
        if index.isdigit() and field in sent and int(index) < len(sent[field]):
            value = f"“{sent[field][int(index)]}”: "
        for error in errors:
            form.add_error(field if field in form.fields else None, f"{value}{error}")
    if not exc.fields:
        form.add_error(None, exc.message)


# -- the network page -------------------------------------------------------------------------------
FLOATING_SORTS = SortOrder(
    {
        "address": lambda r: ip_order(r["address"]), "status": lambda r: r["fip"].status,
        "server": lambda r: r["fip"].server_hostname or r["fip"].server_id,
        "plan": lambda r: r["fip"].plan.name if r["fip"].plan else None, "price": "monthly",
        "expiry": lambda r: r["fip"].expiry_at,
    },
    default="address", param="fsort", table="floating-ips",
)  # fmt: skip
ATTACK_SORTS = SortOrder(
    {"started": "started_at", "ended": "ended_at", "severity": "severity", "detector": "detector",
     "bandwidth": "peak_bandwidth", "pps": "peak_pps"},
    default="-started", param="asort", page_param="apage", table="attacks",
)  # fmt: skip
PROTECTED_SORTS = SortOrder(
    {"address": lambda r: ip_order(r["address"]), "kind": "floating", "server": "server_label"},
    default="address", param="psort", table="protected",
)  # fmt: skip


def _floating_rows(request: HttpRequest, account: str, found: list[Any]) -> list[dict[str, Any]]:
    membership = request.membership  # type: ignore[attr-defined]
    rows = []
    for fip in found:
        server_ref = f"{account}:{fip.server_id}" if fip.server_id is not None else None
        visible = server_ref is not None and membership.may_see_server(account, str(fip.server_id))
        ip = fip.ip_address
        rows.append(
            {
                "fip": fip,
                "ref": f"{account}:{fip.id}",
                "address": _address(fip),
                "server_ref": server_ref if visible else None,
                "protected": bool(ip and ip.ddos_protected),
                "protection_ref": f"{account}:{ip.id}" if ip is not None and ip.ddos_protected else None,
                "monthly": fip.plan.price_with_vat if fip.plan else None,
            }
        )
    return rows


def _protected_rows(account: str, found: list[Any], server_list: list[Any]) -> list[dict[str, Any]]:
    """Every DDoS-protected address of the account: floating ones and servers' own, once each."""
    rows: dict[int, dict[str, Any]] = {}
    for fip in found:
        ip = fip.ip_address
        if ip is not None and ip.ddos_protected and ip.id is not None:
            rows[ip.id] = {
                "ref": f"{account}:{ip.id}",
                "address": ip.ip_address,
                "floating": True,
                "server_ref": f"{account}:{fip.server_id}" if fip.server_id is not None else None,
                "server_label": fip.server_hostname or (str(fip.server_id) if fip.server_id else ""),
            }
    for server in server_list:
        for ip in server.ip_addresses or []:
            if ip.ddos_protected and ip.id is not None and ip.id not in rows:
                rows[ip.id] = {
                    "ref": f"{account}:{ip.id}",
                    "address": ip.ip_address,
                    "floating": bool(ip.floating_ip),
                    "server_ref": f"{account}:{server.id}",
                    "server_label": server.hostname or str(server.id),
                }
    return list(rows.values())


@reaches("floating_ips_list", "floating_ips_plans", "servers_list")
@team_permission_required("floating_ips_list")
@require_GET
def network_index(request: HttpRequest) -> HttpResponse:
    """One account's floating IPs, the plans to buy more, and its protected addresses."""
    context: dict[str, Any] = {
        **account_choice(request),
        "may": allowed_actions(request, *FLOATING_WRITES, "network_protection_get"),
    }
    account = context["account"]
    if account is not None:
        actor = actor_for(request)
        found, context["floating_problem"] = _read(lambda: _floating_ips(request, account))
        floating = _floating_rows(request, account, found or [])
        context["floating_sort"] = sort_rows(floating, FLOATING_SORTS, request.GET)
        context["floating_rows"] = context["floating_sort"].rows
        plans, context["plans_problem"] = _read(
            lambda: network.floating_ips_plans(actor=actor, account=account)
        )
        context["plans"] = list(plans or [])
        server_list, context["servers_problem"] = _read(lambda: _servers(request, account))
        protected = _protected_rows(account, found or [], server_list or [])
        context["protected_sort"] = sort_rows(protected, PROTECTED_SORTS, request.GET)
        context["protected_rows"] = context["protected_sort"].rows
        context["servers_url"] = f"{reverse('web:servers')}?{urlencode({'account': account})}"
    return render(request, "web/network/index.html", context)


# -- buying floating IPs ----------------------------------------------------------------------------
PLAN_NAMES = {"ipv4": "floating-ipv4", "ipv4_ddos": "floating-ipv4-ddos", "ipv6": "floating-ipv6"}


def _count(data: Any, name: str) -> int:
    value = str(data.get(name) or "").strip()
    return int(value) if value.isascii() and value.isdigit() and int(value) <= MAX_IPS_AT_ONCE else 0


def _purchase_cost(plans: list[Any], data: Any) -> dict[str, Any] | None:
    """The price of what the form asks for, from the plans' monthly prices (no calculate endpoint)."""
    try:
        months = int(str(data.get("billing_cycle") or "1"))
    except ValueError:
        return None
    if months not in typing.get_args(BillingCycle):
        return None
    by_name = {p.name: p for p in plans}
    lines, total, total_vat = [], 0.0, 0.0
    for field, label in (("ipv4", "IPv4"), ("ipv4_ddos", "DDoS-protected IPv4"), ("ipv6", "IPv6")):
        count = _count(data, field)
        plan = by_name.get(PLAN_NAMES[field])
        if not count:
            continue
        if plan is None or plan.price is None or plan.price_with_vat is None:
            return {"missing": label}
        lines.append(
            {
                "label": label,
                "count": count,
                "monthly": plan.price_with_vat,
                "amount": count * plan.price_with_vat * months,
            }
        )
        total += count * plan.price * months
        total_vat += count * plan.price_with_vat * months
    if not lines:
        return None
    return {"lines": lines, "months": months, "total": total, "total_with_vat": total_vat}


@reaches("floating_ips_plans", "servers_list", "floating_ips_purchase")
@team_permission_required("floating_ips_purchase", writes=False)
def floating_ip_purchase(request: HttpRequest) -> HttpResponse:
    """Buy floating IPs: what they cost (GET, "Show cost"), then the purchase as an operation (POST)."""
    grant = None
    if request.method == "POST":
        try:
            grant = action_runs.authorise(
                request, FLOATING_IP_PURCHASE, action_runs.requested_account(request)
            )
        except action_runs.Denied as denied:
            return denied.response
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    if account is None:
        return render(request, "web/network/purchase.html", {"back": _network_url(None)})
    label = accounts[account]
    actor = actor_for(request)
    context: dict[str, Any] = {"account": account, "account_label": label, "back": _network_url(account)}
    plans, context["problem"] = _read(lambda: list(network.floating_ips_plans(actor=actor, account=account)))
    if context["problem"] is not None:
        return render(request, "web/network/purchase.html", context)
    context["plans"] = plans
    server_list, context["servers_problem"] = _read(lambda: _servers(request, account))
    choices = [
        (f"{account}:{s.id}", s.hostname or str(s.id))
        for s in server_list or []
        if s.status not in ("terminated", "cancelled")
    ]
    options: dict[str, Any] = {"servers": choices, "expected": label}
    status = 200
    if request.method == "POST":
        form = nf.FloatingIpPurchaseForm(request.POST, **options)
        if form.is_valid():
            outcome = action_runs.submit(request, FLOATING_IP_PURCHASE, form, target=account, grant=grant)
            if outcome is not None:
                messages.success(request, "Buying floating IPs: started. This page follows it to the end.")
                return redirect(outcome.operation.get_absolute_url())
        status = 422
        data_for_cost: Any = request.POST
    else:
        bound = {k: v for k, v in request.GET.items() if k in nf.FloatingIpPurchaseForm.base_fields}
        bound.pop("confirm", None)
        form = nf.FloatingIpPurchaseForm(initial=bound, **options)
        data_for_cost = request.GET
    context["cost"] = _purchase_cost(plans, data_for_cost)
    context["form"] = form
    return render(request, "web/network/purchase.html", context, status=status)


# -- cancelling floating IPs ------------------------------------------------------------------------
def _find_floating_ip(request: HttpRequest, ref: Ref) -> Any:
    for fip in _floating_ips(request, ref.account_id):
        if str(fip.id) == ref.id:
            return fip
    raise NotFoundError(f"No such floating IP: {ref.id}.")


def _floating_confirm(request: HttpRequest, ref: str, *, undo: bool) -> HttpResponse:
    fip_ref = object_ref(ref, "floating IP")
    action = FLOATING_IP_UNDO_CANCEL if undo else FLOATING_IP_CANCEL
    grant = None
    if request.method == "POST":
        try:
            grant = action_runs.authorise(request, action, fip_ref.account_id)
        except action_runs.Denied as denied:
            return denied.response
    context: dict[str, Any] = {"ref": str(fip_ref), "undo": undo, "back": _network_url(fip_ref.account_id)}
    fip, context["problem"] = _read(lambda: _find_floating_ip(request, fip_ref))
    if fip is None:
        return render(request, "web/network/floating_confirm.html", context)
    address = _address(fip)
    context.update(fip=fip, address=address, pending=bool(fip.cancel_request))
    if (fip.cancel_request is None) != (not undo):  # nothing to undo, or already cancelled
        return render(request, "web/network/floating_confirm.html", context)
    form: Any
    status = 200
    if request.method == "POST":
        assert grant is not None
        form = (
            nf.FloatingIpUndoCancelForm(request.POST)
            if undo
            else nf.FloatingIpCancelForm(request.POST, expected=address)
        )
        if form.is_valid():
            data = {"ids": [fip.id]} if undo else form.input_data(fip.id)
            if action_runs.submit(request, action, form, target=fip_ref.account_id, grant=grant, data=data):
                done = "Cancellation withdrawn" if undo else "Cancellation requested"
                messages.success(request, f"{done} for {address}.")
                return redirect(_network_url(fip_ref.account_id, "floating-ips"))
        status = 422
    else:
        form = nf.FloatingIpUndoCancelForm() if undo else nf.FloatingIpCancelForm(expected=address)
    context["form"] = form
    return render(request, "web/network/floating_confirm.html", context, status=status)


@reaches("floating_ips_list", "floating_ips_cancel")
@team_permission_required("floating_ips_cancel", writes=False)
def floating_ip_cancel(request: HttpRequest, ref: str) -> HttpResponse:
    """Cancel one floating IP (GET: what happens; POST with the address typed: cancel)."""
    return _floating_confirm(request, ref, undo=False)


@reaches("floating_ips_list", "floating_ips_cancel_undo")
@team_permission_required("floating_ips_cancel_undo", writes=False)
def floating_ip_undo_cancel(request: HttpRequest, ref: str) -> HttpResponse:
    """Withdraw a floating IP's cancellation (GET: what happens; POST: withdraw)."""
    return _floating_confirm(request, ref, undo=True)


# -- one protected address --------------------------------------------------------------------------
def _rows_of(answer: Any) -> list[dict[str, Any]] | None:
    """The rows of an answer whose shape the reference does not give (`{data: [...]}` or a list)."""
    rows = answer.get("data") if isinstance(answer, dict) else answer
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return None
    return rows


def _table(rows: list[dict[str, Any]], max_columns: int = 6) -> dict[str, Any]:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns and not isinstance(row[key], dict | list):
                columns.append(key)
    columns = columns[:max_columns]
    return {
        "headers": [HEADERS.get(c, c.replace("_", " ").capitalize()) for c in columns],
        "rows": [[_cell(row.get(c)) for c in columns] for row in rows],
    }


def _cell(value: Any) -> Any:
    """A table cell: "—" for nothing, ISO times shortened to the minute (UTC), the rest as is."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and ISO_TIME.match(value):
        when = _timestamp(value)
        if when is not None:
            return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value


def _attack_range(request: HttpRequest) -> tuple[str, int | None, int | None]:
    value = request.GET.get("attacks", "")
    if value not in ATTACK_RANGES:
        return "", None, None  # VPSBG's default: the last 7 days
    now = datetime.now(UTC)
    return value, int((now - timedelta(days=ATTACK_RANGES[value])).timestamp()), int(now.timestamp())


def _page_number(request: HttpRequest, name: str) -> int:
    try:
        return max(1, min(int(request.GET.get(name, "1")), 10_000))
    except ValueError:
        return 1


def _list_forms(kind: str, current: Any, forms_in: dict[str, Any]) -> dict[str, Any]:
    networks = "\n".join(current.networks or []) if current is not None else ""
    return {
        f"{kind}_form": forms_in.get(f"{kind}_set")
        or nf.NetworkListForm(initial={"networks": networks}, auto_id=f"id_{kind}_%s"),
        f"{kind}_update_form": forms_in.get(f"{kind}_update")
        or nf.NetworkListUpdateForm(auto_id=f"id_{kind}_update_%s"),
    }


def _protection_page(
    request: HttpRequest, ref: Ref, *, forms_in: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    forms_in = forms_in or {}
    actor = actor_for(request)
    context: dict[str, Any] = {
        "ref": str(ref),
        "may": allowed_actions(request, *PROTECTION_WRITES),
        "back": _network_url(ref.account_id, "protected"),
        "bandwidth_ranges": list(BANDWIDTH_RANGES),
        "attack_ranges": list(ATTACK_RANGES),
    }
    context["info"], context["info_problem"] = _read(
        lambda: network.network_protection_get(actor=actor, protected_ip=ref)
    )
    service = getattr(context["info"], "protected_service", None)
    membership = request.membership  # type: ignore[attr-defined]
    if service is not None and service.type == "server" and service.id is not None:
        if membership.may_see_server(ref.account_id, str(service.id)):
            context["server_ref"] = f"{ref.account_id}:{service.id}"
    blocked, context["blocked_problem"] = _read(
        lambda: network.network_protection_blocked_ips(actor=actor, protected_ip=ref)
    )
    if blocked is not None:
        rows = _rows_of(blocked)
        context["blocked"] = _table(rows) if rows is not None else None
        context["blocked_unreadable"] = rows is None
    chosen, start, end = _attack_range(request)
    page = _page_number(request, "apage")
    context["attack_range"] = chosen
    attacks, context["attacks_problem"] = _read(
        lambda: network.network_protection_attacks_list(
            actor=actor, protected_ip=ref, start=start, end=end, page=page, per_page=25
        )
    )
    if attacks is not None:
        context["attacks_sort"] = sort_rows(attacks, ATTACK_SORTS, request.GET)
        attacks = context["attacks_sort"].rows
    context["attacks"] = attacks
    kept = {"attacks": chosen, ATTACK_SORTS.param: request.GET.get(ATTACK_SORTS.param, "")}
    if ATTACK_SORTS.pick(kept[ATTACK_SORTS.param]) != kept[ATTACK_SORTS.param]:
        kept[ATTACK_SORTS.param] = ""
    context["attacks_query"] = urlencode({k: v for k, v in kept.items() if v})
    geo, context["geo_problem"] = _read(
        lambda: network.network_protection_geo_get(actor=actor, protected_ip=ref)
    )
    context["geo"] = geo
    context["geo_exists"] = bool(geo is not None and (geo.active or geo.countries))
    geo_form = nf.GeoFilterUpdateForm if context["geo_exists"] else nf.GeoFilterForm
    context["geo_form"] = forms_in.get("geo") or geo_form(
        initial={
            "action": (geo.action if geo else None) or "allow",
            "countries": ", ".join(geo.countries or []),
        }
        if geo is not None
        else {}
    )
    for kind, read in (
        ("whitelist", network.network_protection_whitelist_get),
        ("blacklist", network.network_protection_blacklist_get),
    ):
        current, context[f"{kind}_problem"] = _read(partial(read, actor=actor, protected_ip=ref))
        context[kind] = current
        context.update(_list_forms(kind, current, forms_in))
    return render(request, "web/network/protection.html", context, status=status)


@reaches(
    "network_protection_get", "network_protection_blocked_ips", "network_protection_attacks_list",
    "network_protection_geo_get", "network_protection_whitelist_get", "network_protection_blacklist_get",
)  # fmt: skip
@team_permission_required("network_protection_get")
@require_GET
def protection_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """One protected address: overview, traffic, blocked IPs, attacks, and its filters."""
    return _protection_page(request, object_ref(ref, "network protection"))


# -- filter writes ----------------------------------------------------------------------------------
def _filter_write(
    request: HttpRequest, ref: str, action: Action, form_class: Any, *, key: str, anchor: str
) -> HttpResponse:
    """A POST that changes a filter: back to the page with a message, or the form again (422)."""
    prot_ref = object_ref(ref, "network protection")
    try:
        grant = action_runs.authorise(request, action, prot_ref)
    except action_runs.Denied as denied:
        return denied.response
    auto_id = "id_%s" if anchor == "geo" else f"id_{anchor}{'_update' if key.endswith('update') else ''}_%s"
    form = form_class(request.POST, auto_id=auto_id)
    if form.is_valid():
        sent = {k: v for k, v in form.input.model_dump().items() if isinstance(v, list)}
        outcome = action_runs.submit(
            request,
            action,
            form,
            target=prot_ref,
            grant=grant,
            on_invalid=lambda f, exc: _apply_upstream_errors(f, exc, sent),
        )
        if outcome is not None:
            messages.success(request, action.done_message)
            return redirect(_protection_url(prot_ref, anchor))
    return _protection_page(request, prot_ref, forms_in={key: form}, status=422)


@reaches("network_protection_geo_set")
@team_permission_required("network_protection_geo_set", writes=False)
@require_POST
def geo_set(request: HttpRequest, ref: str) -> HttpResponse:
    """POST: create the geo filter."""
    return _filter_write(request, ref, GEO_SET, nf.GeoFilterForm, key="geo", anchor="geo")


@reaches("network_protection_geo_update")
@team_permission_required("network_protection_geo_update", writes=False)
@require_POST
def geo_update(request: HttpRequest, ref: str) -> HttpResponse:
    """POST: change the geo filter."""
    return _filter_write(request, ref, GEO_UPDATE, nf.GeoFilterUpdateForm, key="geo", anchor="geo")


@reaches("network_protection_whitelist_set")
@team_permission_required("network_protection_whitelist_set", writes=False)
@require_POST
def whitelist_set(request: HttpRequest, ref: str) -> HttpResponse:
    """POST: replace the whitelist."""
    return _filter_write(
        request, ref, WHITELIST_SET, nf.NetworkListForm, key="whitelist_set", anchor="whitelist"
    )


@reaches("network_protection_whitelist_update")
@team_permission_required("network_protection_whitelist_update", writes=False)
@require_POST
def whitelist_update(request: HttpRequest, ref: str) -> HttpResponse:
    """POST: add to the whitelist, or switch it on or off."""
    return _filter_write(
        request, ref, WHITELIST_UPDATE, nf.NetworkListUpdateForm, key="whitelist_update", anchor="whitelist"
    )


@reaches("network_protection_blacklist_set")
@team_permission_required("network_protection_blacklist_set", writes=False)
@require_POST
def blacklist_set(request: HttpRequest, ref: str) -> HttpResponse:
    """POST: replace the blacklist."""
    return _filter_write(
        request, ref, BLACKLIST_SET, nf.NetworkListForm, key="blacklist_set", anchor="blacklist"
    )


@reaches("network_protection_blacklist_update")
@team_permission_required("network_protection_blacklist_update", writes=False)
@require_POST
def blacklist_update(request: HttpRequest, ref: str) -> HttpResponse:
    """POST: add to the blacklist, or switch it on or off."""
    return _filter_write(
        request, ref, BLACKLIST_UPDATE, nf.NetworkListUpdateForm, key="blacklist_update", anchor="blacklist"
    )


# -- deleting a filter ------------------------------------------------------------------------------
def _describe_filter(kind: str, current: Any) -> list[str]:
    if kind == "geo":
        countries = ", ".join(current.countries or []) or "no countries"
        return [
            f"The geo filter ({current.action or 'allow'}: {countries}) is removed.",
            "Traffic is no longer filtered by country.",
        ]
    count = len(current.networks or [])
    entries = f"{count} address{'es' if count != 1 else ''} or networks"
    return [f"Every entry of the {kind} ({entries}) is removed.", f"The {kind} no longer applies."]


def _filter_delete(
    request: HttpRequest, ref: str, action: Action, read: Callable[..., Any], *, kind: str
) -> HttpResponse:
    """Delete a filter: a confirmation page (GET), then the deletion (POST, the address typed)."""
    prot_ref = object_ref(ref, "network protection")
    grant = None
    if request.method == "POST":
        try:
            grant = action_runs.authorise(request, action, prot_ref)
        except action_runs.Denied as denied:
            return denied.response
    actor = actor_for(request)
    title = "geo filter" if kind == "geo" else kind
    context: dict[str, Any] = {"ref": str(prot_ref), "title": title, "back": _protection_url(prot_ref, kind)}
    try:
        info = network.network_protection_get(actor=actor, protected_ip=prot_ref)
        current = read(actor=actor, protected_ip=prot_ref)
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        return render(request, "web/network/filter_delete.html", context)
    address = (
        info.ip_address.ip_address if info.ip_address and info.ip_address.ip_address else str(prot_ref.id)
    )
    context.update(address=address, what=_describe_filter(kind, current))
    status = 200
    if request.method == "POST":
        assert grant is not None
        form = nf.FilterDeleteForm(request.POST, expected=address)
        if form.is_valid():
            if action_runs.submit(request, action, form, target=prot_ref, grant=grant, data={}):
                messages.success(request, f"The {title} of {address} is deleted.")
                return redirect(_protection_url(prot_ref, kind))
        status = 422
    else:
        form = nf.FilterDeleteForm(expected=address)
    context["form"] = form
    return render(request, "web/network/filter_delete.html", context, status=status)


@reaches("network_protection_geo_delete", "network_protection_get", "network_protection_geo_get")
@team_permission_required("network_protection_geo_delete", writes=False)
def geo_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """Delete the geo filter: a confirmation page (GET), then the deletion (POST)."""
    return _filter_delete(request, ref, GEO_DELETE, network.network_protection_geo_get, kind="geo")


@reaches("network_protection_whitelist_delete", "network_protection_get", "network_protection_whitelist_get")
@team_permission_required("network_protection_whitelist_delete", writes=False)
def whitelist_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """Delete the whitelist: a confirmation page (GET), then the deletion (POST)."""
    return _filter_delete(
        request, ref, WHITELIST_DELETE, network.network_protection_whitelist_get, kind="whitelist"
    )


@reaches("network_protection_blacklist_delete", "network_protection_get", "network_protection_blacklist_get")
@team_permission_required("network_protection_blacklist_delete", writes=False)
def blacklist_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """Delete the blacklist: a confirmation page (GET), then the deletion (POST)."""
    return _filter_delete(
        request, ref, BLACKLIST_DELETE, network.network_protection_blacklist_get, kind="blacklist"
    )


# -- attacks ----------------------------------------------------------------------------------------
def _attack_id(value: str) -> str:
    if not ATTACK_ID.match(value):
        raise Http404("No such attack.")
    return value


def _ports(top_ports: Any) -> list[tuple[str, str, Any]]:
    """`top_ports` as (protocol, port, value) rows; its inner shape is not in the reference."""
    rows: list[tuple[str, str, Any]] = []
    for protocol in ("tcp", "udp"):
        ports = getattr(top_ports, protocol, None) if top_ports is not None else None
        if isinstance(ports, dict):
            rows.extend((protocol.upper(), str(port), value) for port, value in ports.items())
        elif isinstance(ports, list):
            rows.extend((protocol.upper(), str(item), "") for item in ports)
    return rows


@reaches("network_protection_attack_get")
@team_permission_required("network_protection_attack_get")
@require_GET
def attack_detail(request: HttpRequest, ref: str, attack_id: str) -> HttpResponse:
    """One attack: its rates, where it came from, and its traffic chart."""
    prot_ref = object_ref(ref, "network protection")
    attack_id = _attack_id(attack_id)
    context: dict[str, Any] = {
        "ref": str(prot_ref),
        "attack_id": attack_id,
        "back": _protection_url(prot_ref, "attacks"),
    }
    context["attack"], context["problem"] = _read(
        lambda: network.network_protection_attack_get(
            actor=actor_for(request), protected_ip=prot_ref, attack_id=attack_id
        )
    )
    if context["attack"] is not None:
        context["ports"] = _ports(context["attack"].top_ports)
    return render(request, "web/network/attack.html", context)


# -- chart data -------------------------------------------------------------------------------------
def _timestamp(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value:
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return None
    return None


def _numeric_keys(rows: Iterable[dict[str, Any]]) -> list[str]:
    keys: list[str] = []
    bad: set[str] = set()
    for row in rows:
        for key, value in row.items():
            if key in TIME_KEYS:
                continue
            if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
                if key not in keys:
                    keys.append(key)
            else:
                bad.add(key)
    return [k for k in keys if k not in bad]


def chart_payload(answer: Any, title: str) -> dict[str, Any]:
    """charts.js's shape from a traffic answer (the reference leaves its shape open: read it loosely).

    Rows are `{<time key>: unix seconds or ISO time, <series>: number, ...}` under `data`; series
    whose name says `pps` go to a packets chart, the others to a traffic chart in `unit`.
    """
    rows = _rows_of(answer)
    if rows is None:
        raise ValueError("not a list of points")
    points = []
    for row in rows:
        when = next((_timestamp(row.get(k)) for k in TIME_KEYS if k in row), None)
        if when is not None:
            points.append((when, row))
    points.sort(key=lambda p: p[0])
    keys = _numeric_keys(row for _, row in points)
    unit = str(answer.get("unit") or "") if isinstance(answer, dict) else ""

    def series(names: list[str]) -> list[dict[str, Any]]:
        return [
            {"label": name.replace("_", " ").capitalize(), "data": [row.get(name) for _, row in points]}
            for name in names
        ]

    rates = [k for k in keys if "pps" not in k.lower()]
    packets = [k for k in keys if "pps" in k.lower()]
    charts = []
    if rates:
        charts.append({"title": title, "unit": unit, "series": series(rates)})
    if packets:
        charts.append({"title": "Packets per second", "unit": "pps", "series": series(packets)})
    return {"x": [when for when, _ in points] if charts else [], "charts": charts}


def _chart_response(fetch: Callable[[], Any], title: str) -> JsonResponse:
    try:
        answer = fetch()
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PanelError as exc:
        return JsonResponse({"error": exc.message})
    try:
        return JsonResponse(chart_payload(answer, title))
    except ValueError:
        return JsonResponse({"error": "VPSBG answered in a form the panel cannot chart; try again later."})


@reaches("network_protection_bandwidth")
@team_permission_required("network_protection_bandwidth")
@require_GET
def protection_bandwidth(request: HttpRequest, ref: str) -> JsonResponse:
    """Traffic to the protected address: the last 24 hours, or the last `?days=` (7, 30)."""
    prot_ref = object_ref(ref, "network protection")
    value = request.GET.get("days", "")
    start = end = None
    if value:
        if value not in BANDWIDTH_RANGES:
            return JsonResponse({"error": "Choose 7 or 30 days."}, status=400)
        now = datetime.now(UTC)
        start, end = int((now - timedelta(days=BANDWIDTH_RANGES[value])).timestamp()), int(now.timestamp())
    return _chart_response(
        lambda: network.network_protection_bandwidth(
            actor=actor_for(request), protected_ip=prot_ref, start=start, end=end
        ),
        "Traffic",
    )


@reaches("network_protection_attack_bandwidth")
@team_permission_required("network_protection_attack_bandwidth")
@require_GET
def attack_bandwidth(request: HttpRequest, ref: str, attack_id: str) -> JsonResponse:
    """Traffic during one attack."""
    prot_ref = object_ref(ref, "network protection")
    attack_id = _attack_id(attack_id)
    return _chart_response(
        lambda: network.network_protection_attack_bandwidth(
            actor=actor_for(request), protected_ip=prot_ref, attack_id=attack_id
        ),
        "Traffic during the attack",
    )
