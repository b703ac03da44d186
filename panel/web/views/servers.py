"""Servers: the list across the team's accounts and one server's page with its quick actions.

Reads that fail upstream render the page with a clear message and a retry button; a server that
does not exist or is outside the member's scope is a 404. Quick writes (power, hostname, ISOs,
SSH keys) go through the actions pipeline (`panel.actions`), their forms derived from the actions'
input types; reverse DNS (the network area's) calls its service. An htmx request gets the
refreshed section back, a plain form post is redirected to the server page with a flash message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from panel.accounts.decorators import render_denied, team_permission_required
from panel.accounts.permissions import can
from panel.actions import pipeline
from panel.actions import servers as server_actions
from panel.actions.base import Action
from panel.actions.pipeline import Refused
from panel.audit.models import AuditEvent
from panel.bulk.batches import bulk_actions
from panel.core.errors import InvalidInput, NotFoundError, PanelError
from panel.core.templatetags.panel_format import moment
from panel.services import aggregates, library, network, servers
from panel.services.context import ServerRef, parse_server_ref
from panel.services.registry import reaches

from ..action_forms import HostnameForm, IsoForm, SshKeysForm
from ..common import Problem, actor_for, allowed_actions, error_text, field_errors, problem_from
from ..forms import ReverseDnsForm, ServerFilterForm
from ..htmx import is_fragment_request, render_page_or_fragment
from ..server_state import power_state
from ..server_tabs import ACTION_PLACES, DEFAULT_TAB, RED_ACTIONS, TABS, tab_of

WRITE_OPERATIONS = (
    "servers_start", "servers_restart", "servers_stop", "servers_power_off",
    "servers_update_hostname", "ip_addresses_update", "servers_modify_isos", "servers_update_ssh_keys",
)  # fmt: skip
TRAIL_LENGTH = 20
_PATH_SAFE = "!$&'()*+,;=/~:@"  # what `reverse()` leaves unquoted in a path argument
FORM_TABS = {"hostname": "settings", "keys": "settings", "iso": "rescue", "ptr": "networking"}
BANDWIDTH_RANGES = {"7": 7, "30": 30, "90": 90}


# -- list ----------------------------------------------------------------------------------------
def _sort_key(sort: str) -> Callable[[Any], Any]:
    keys: dict[str, Callable[[Any], Any]] = {
        "hostname": lambda s: (s.server.hostname or "").lower(),
        "state": lambda s: power_state(s.server)[0],
        "plan": lambda s: ((s.server.plan.name if s.server.plan else "") or "").lower(),
        "account": lambda s: s.account_label.lower(),
        "expiry": lambda s: s.server.expiry_at or datetime.max.replace(tzinfo=UTC),
    }
    return keys[sort.lstrip("-")]


def _rows(items: list[Any]) -> list[dict[str, Any]]:
    """The table's cells as plain strings, for the `server_rows` filter.

    Fifty rows of attribute lookups, `{% url %}`, `{% include %}` and filters in the template cost
    ~10 ms of CPU, most of the page's (bench/web_load.py); made here, under 1 ms. The link is
    reversed once: the detail path differs between servers only by the reference, quoted as
    `reverse()` quotes it.
    """
    head, _, tail = reverse("web:server_detail", args=["0:0"]).rpartition("0:0")
    rows = []
    for item in items:
        server = item.server
        key, label = power_state(server)
        rows.append(
            {
                "url": head + quote(item.key, safe=_PATH_SAFE) + tail,
                "ref": item.key,
                "hostname": server.hostname or server.id,
                "state": key,
                "state_label": label,
                "ips": [ip.ip_address for ip in server.ip_addresses or () if ip.main],
                "plan": (server.plan.name if server.plan else "") or "—",
                "account": item.account_label,
                "expires": moment(server.expiry_at, "date"),
            }
        )
    return rows


@reaches("servers_list")
@team_permission_required("servers_list")
@require_GET
def server_list(request: HttpRequest) -> HttpResponse:
    """Every server of every account, searched, filtered and sorted; the table refreshes itself."""
    form = ServerFilterForm(request.GET)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    context: dict[str, Any] = {"form": form, "problem": None, "warnings": [], "rows": []}
    try:
        result = aggregates.servers_list_all(
            actor=actor_for(request),
            status=form.upstream_status() if filters else None,
            search=filters.get("q") or None,
        )
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        result = None
    if result is not None:
        items = result.items
        context["accounts"] = sorted({(s.ref.account_id, s.account_label) for s in items}, key=lambda a: a[1])
        context["plans"] = sorted({s.server.plan.name for s in items if s.server.plan and s.server.plan.name})
        if filters.get("account"):
            items = [s for s in items if s.ref.account_id == filters["account"]]
        if filters.get("plan"):
            items = [s for s in items if s.server.plan and s.server.plan.name == filters["plan"]]
        sort = filters.get("sort") or "hostname"
        items = sorted(items, key=_sort_key(sort), reverse=sort.startswith("-"))
        context["rows"] = _rows(items)
        context["warnings"] = result.warnings
        context["sort"] = sort
    context["query"] = request.GET.urlencode()
    context["bulk_actions"] = bulk_actions(request.membership)  # type: ignore[attr-defined]
    return render_page_or_fragment(request, "web/servers/list.html", "web/servers/_table.html", context)


# -- one server ----------------------------------------------------------------------------------
def _ref(ref: str) -> ServerRef:
    try:
        return parse_server_ref(ref)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _server_or_problem(request: HttpRequest, ref: ServerRef) -> tuple[Any, Problem | None]:
    try:
        return servers.servers_get(actor=actor_for(request), server=ref), None
    except PanelError as exc:
        return None, problem_from(exc)


def _status(request: HttpRequest, ref: ServerRef) -> tuple[Any, Problem | None]:
    try:
        return servers.servers_status(actor=actor_for(request), server=ref), None
    except PanelError as exc:
        return None, problem_from(exc)


def _power_context(request: HttpRequest, ref: ServerRef, server: Any = None) -> dict[str, Any]:
    """What the power section needs: the live state and the actions this member may take."""
    if server is None:
        server, problem = _server_or_problem(request, ref)
        if problem is not None:
            return {
                "ref": str(ref),
                "power_problem": problem,
                "may": allowed_actions(request, *WRITE_OPERATIONS),
            }
    status, status_problem = _status(request, ref)
    key, label = power_state(server, status)
    return {
        "ref": str(ref),
        "server": server,
        "status": status,
        "power_problem": status_problem,
        "power_key": key,
        "power_label": label,
        "may": allowed_actions(request, *WRITE_OPERATIONS),
    }


def _section(fetch: Callable[[], Any]) -> tuple[list[Any], Problem | None]:
    """One part of the server page: its items, or the problem that stopped it (shown in place)."""
    try:
        return list(fetch()), None
    except PanelError as exc:
        return [], problem_from(exc)


def _trail(request: HttpRequest, ref: ServerRef) -> dict[str, Any]:
    """The server's audit events (for those who may read the audit log) and its operations."""
    membership = request.membership  # type: ignore[attr-defined]
    context: dict[str, Any] = {"events": None, "operations": []}
    if can(membership, "audit.read"):
        context["events"] = list(
            AuditEvent.objects.filter(team=membership.team, target_id=str(ref)).order_by("-seq")[
                :TRAIL_LENGTH
            ]
        )
    if apps.is_installed("panel.operations"):
        operation = apps.get_model("operations", "Operation")
        context["operations"] = list(
            operation.objects.filter(team=membership.team, target_id=str(ref)).order_by("-created_at")[
                :TRAIL_LENGTH
            ]
        )
    return context


def _detail(
    request: HttpRequest,
    ref: ServerRef,
    *,
    tab: str = DEFAULT_TAB,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """One tab of the server page; `forms` replaces a blank form with a bound one that has errors.

    Every tab reads the server (its header and the actions it offers depend on it); the rest is
    read only by the tab that shows it, so the overview costs two VPSBG reads instead of seven.
    """
    server, problem = _server_or_problem(request, ref)
    context: dict[str, Any] = {"ref": str(ref), "server": server, "problem": problem, "tab": tab}
    context["tabs"] = [{"name": name, "label": label, "selected": name == tab} for name, label in TABS]
    context["server_account"] = ref.account_id
    if server is not None:
        context["state_key"], context["state_label"] = power_state(server)
        status_result = None
        if tab in ("overview", "power", "rescue"):
            context.update(_power_context(request, ref, server))
            status_result = context.get("status")
        else:
            context["may"] = allowed_actions(request, *WRITE_OPERATIONS)
        TAB_LOADERS.get(tab, _no_more)(request, ref, server, forms or {}, context)
        context["action_links"] = _action_links(request, ref, server, status_result, tab)
    if tab == "activity":
        context.update(_trail(request, ref))
    # A tab link swaps the tab list and panel only; any other htmx request gets the whole body.
    fragment = "_tabs" if _aimed_at(request, "server-tabs") else "_detail_body"
    return render_page_or_fragment(
        request, "web/servers/detail.html", f"web/servers/{fragment}.html", context, status=status
    )


def _aimed_at(request: HttpRequest, target: str) -> bool:
    return is_fragment_request(request) and request.htmx.target == target  # type: ignore[attr-defined]


Loader = Callable[[HttpRequest, ServerRef, Any, dict[str, Any], dict[str, Any]], None]


def _no_more(
    request: HttpRequest, ref: ServerRef, server: Any, forms: dict[str, Any], context: dict[str, Any]
) -> None:
    """Tabs that need only the server (and the status read with the power section)."""


def _graphs(
    request: HttpRequest, ref: ServerRef, server: Any, forms: dict[str, Any], context: dict[str, Any]
) -> None:
    context["bandwidth_ranges"] = list(BANDWIDTH_RANGES)
    context["months"] = _recent_months()


def _networking(
    request: HttpRequest, ref: ServerRef, server: Any, forms: dict[str, Any], context: dict[str, Any]
) -> None:
    actor, account = actor_for(request), ref.account_id
    floating, context["floating_problem"] = _section(
        lambda: network.floating_ips_list(actor=actor, account=account, per_page=50)
    )
    context["floating_ips"] = [ip for ip in floating if ip.server_id == server.id]
    ptr_form = forms.get("ptr")
    context["ip_rows"] = [
        {
            "ip": ip,
            "protection": f"{ref.account_id}:{ip.id}" if ip.ddos_protected and ip.id is not None else "",
            "form": ptr_form
            if ptr_form is not None and str(ptr_form.data.get("ip_id")) == str(ip.id)
            else ReverseDnsForm(initial={"ip_id": ip.id, "ptr": ip.ptr or ""}, auto_id=f"id_ptr{ip.id}_%s"),
        }
        for ip in server.ip_addresses or []
    ]
    if ptr_form is not None and not any(row["form"] is ptr_form for row in context["ip_rows"]):
        # The address is not one of this server's: show why above the table.
        context["ptr_errors"] = [e for errors in ptr_form.errors.values() for e in errors]


def _snapshots(
    request: HttpRequest, ref: ServerRef, server: Any, forms: dict[str, Any], context: dict[str, Any]
) -> None:
    actor = actor_for(request)
    context["snapshots"], context["snapshots_problem"] = _section(
        lambda: library.snapshots_list(actor=actor, server=ref)
    )
    context["backups"], context["backups_problem"] = _section(
        lambda: library.backups_list(actor=actor, server=ref)
    )
    context["may_copies"] = allowed_actions(request, "servers_restore", "snapshots_delete", "backups_delete")


def _rescue(
    request: HttpRequest, ref: ServerRef, server: Any, forms: dict[str, Any], context: dict[str, Any]
) -> None:
    isos, context["isos_problem"] = _section(
        lambda: library.isos_list(actor=actor_for(request), account=ref.account_id)
    )
    context["iso_form"] = forms.get("iso") or IsoForm(isos=[(i.id, i.name or f"ISO {i.id}") for i in isos])


def _settings(
    request: HttpRequest, ref: ServerRef, server: Any, forms: dict[str, Any], context: dict[str, Any]
) -> None:
    keys, context["keys_problem"] = _section(
        lambda: library.ssh_keys_list(actor=actor_for(request), account=ref.account_id)
    )
    context["hostname_form"] = forms.get("hostname") or HostnameForm(initial={"hostname": server.hostname})
    current_keys = [str(k.id) for k in keys if any(s.id == server.id for s in (k.servers or []))]
    context["keys_form"] = forms.get("keys") or SshKeysForm(
        keys=[(k.id, k.name or f"Key {k.id}") for k in keys], initial={"ssh_keys": current_keys}
    )


TAB_LOADERS: dict[str, Loader] = {
    "graphs": _graphs,
    "networking": _networking,
    "snapshots": _snapshots,
    "rescue": _rescue,
    "settings": _settings,
}


def _action_links(
    request: HttpRequest, ref: ServerRef, server: Any, status: Any, tab: str
) -> list[dict[str, Any]]:
    """Links to the confirmation pages of this tab that this member may use in the server's state."""
    from .server_actions import ACTIONS

    rescue = bool(getattr(status, "rescue_mode", False))
    hidden = {
        "cancel": bool(server.cancel_request),
        "undo-cancel": not server.cancel_request,
        "rescue-on": rescue,
        "rescue-off": not rescue,
        "primary-ip": len(server.ip_addresses or []) < 2,
        "cancel-addon": not server.addons,
        "undo-cancel-addon": not server.addons,
        "restore": True,  # offered on each snapshot and backup instead
        "delete-snapshot": True,
        "delete-backup": True,
    }
    membership = request.membership  # type: ignore[attr-defined]
    return [
        {
            "title": action.title,
            "blurb": ACTION_PLACES[action.slug][1],
            "url": reverse(action.url_name, kwargs={"ref": str(ref)}),
            "red": action.slug in RED_ACTIONS,
        }
        for action in ACTIONS
        if ACTION_PLACES[action.slug][0] == tab
        and not hidden.get(action.slug)
        and can(membership, action.name)
    ]


def _recent_months(count: int = 6) -> list[tuple[str, str]]:
    """The last `count` months as `("YYYY-MM", "Month YYYY")` for the metrics range choice."""
    today = datetime.now(UTC).date().replace(day=1)
    months = []
    for _ in range(count):
        months.append((today.strftime("%Y-%m"), today.strftime("%B %Y")))
        today = (today - timedelta(days=1)).replace(day=1)
    return months


@reaches(
    "servers_get", "servers_status", "snapshots_list", "backups_list", "isos_list", "ssh_keys_list",
    "floating_ips_list",
)  # fmt: skip
@team_permission_required("servers_get")
@require_GET
def server_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """One tab of the server page (`?tab=`); an htmx request aimed at the power section gets only that."""
    server_ref = _ref(ref)
    if _aimed_at(request, "power"):
        return render_page_or_fragment(
            request, "web/servers/detail.html", "web/servers/_power.html", _power_context(request, server_ref)
        )
    return _detail(request, server_ref, tab=tab_of(request.GET.get("tab")))


def tab_url(ref: ServerRef | str, tab: str) -> str:
    """The server page opened on `tab` (the overview has no query)."""
    url = reverse("web:server_detail", kwargs={"ref": str(ref)})
    return url if tab == DEFAULT_TAB else f"{url}?tab={tab}"


def _done(
    request: HttpRequest, ref: ServerRef, message: str, *, error: bool = False, tab: str | None = None
) -> HttpResponse:
    """After a quick write: the power section for htmx, else back to the tab with a flash.

    Power buttons sit on two tabs, so their forms say which one (`tab`); the other forms have one.
    """
    if _aimed_at(request, "power"):
        context = _power_context(request, ref)
        context["result"] = {"message": message, "error": error}
        return render_page_or_fragment(request, "web/servers/detail.html", "web/servers/_power.html", context)
    (messages.error if error else messages.success)(request, message)
    return redirect(tab_url(ref, tab or tab_of(request.POST.get("tab"))))


def _power(request: HttpRequest, ref: str, action: Action) -> HttpResponse:
    """A power action through the actions pipeline (which checks the role, once)."""
    server_ref = _ref(ref)
    try:
        pipeline.submit(
            action, actor=actor_for(request), target=server_ref, reason=request.POST.get("reason", "")[:500]
        )
    except pipeline.Pending as held:  # a guardrail holds it for approval: say where it waits
        return _done(request, server_ref, f"{held.message} Follow it on {held.location}")
    except Refused as exc:
        return render_denied(request, exc)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PanelError as exc:
        return _done(request, server_ref, exc.message, error=True)
    return _done(request, server_ref, action.done_message)


@reaches("servers_start")
@team_permission_required("servers_start", writes=False)
@require_POST
def server_start(request: HttpRequest, ref: str) -> HttpResponse:
    return _power(request, ref, server_actions.START)


@reaches("servers_restart")
@team_permission_required("servers_restart", writes=False)
@require_POST
def server_restart(request: HttpRequest, ref: str) -> HttpResponse:
    return _power(request, ref, server_actions.RESTART)


@reaches("servers_stop")
@team_permission_required("servers_stop", writes=False)
@require_POST
def server_stop(request: HttpRequest, ref: str) -> HttpResponse:
    return _power(request, ref, server_actions.STOP)


@reaches("servers_power_off")
@team_permission_required("servers_power_off", writes=False)
@require_POST
def server_power_off(request: HttpRequest, ref: str) -> HttpResponse:
    return _power(request, ref, server_actions.POWER_OFF)


def _write(
    request: HttpRequest, ref: ServerRef, form_key: str, form: Any, call: Callable[[], Any], ok: str
) -> HttpResponse:
    tab = FORM_TABS[form_key]
    """Run a validated form's service call; field errors (ours or VPSBG's) go next to the fields."""
    if form.is_valid():
        try:
            call()
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except InvalidInput as exc:
            field_errors(form, exc)
        except PanelError as exc:  # shown above the form, which keeps what was typed
            form.add_error(None, error_text(exc))
            return _detail(request, ref, tab=tab, forms={form_key: form}, status=exc.status)
        else:
            return _done(request, ref, ok, tab=tab)
    return _detail(request, ref, tab=tab, forms={form_key: form}, status=422)


def _declared_write(
    request: HttpRequest, ref: str, form_key: str, action: Action, make_form: Callable[[], Any]
) -> HttpResponse:
    """A quick write declared in `panel.actions`: authorised first (the role asked once, a refused
    member learns nothing from the form), then its derived form validates, then the pipeline runs it."""
    server_ref = _ref(ref)
    try:
        grant = pipeline.authorise(action, actor_for(request), server_ref)
    except Refused as exc:
        return render_denied(request, exc)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    try:
        form = make_form()
    except PanelError as exc:  # the choices could not be read
        return _done(request, server_ref, problem_from(exc).message, error=True, tab=FORM_TABS[form_key])

    def call() -> None:
        pipeline.submit(
            action,
            actor=actor_for(request),
            target=server_ref,
            data=form.input,
            reason=form.cleaned_data.get("reason") or "",
            grant=grant,
        )

    return _write(request, server_ref, form_key, form, call, action.done_message)


@reaches("servers_update_hostname")
@team_permission_required("servers_update_hostname", writes=False)
@require_POST
def server_hostname(request: HttpRequest, ref: str) -> HttpResponse:
    return _declared_write(
        request, ref, "hostname", server_actions.HOSTNAME, lambda: HostnameForm(request.POST)
    )


@reaches("servers_get", "ip_addresses_update")
@team_permission_required("ip_addresses_update")
@require_POST
def server_reverse_dns(request: HttpRequest, ref: str) -> HttpResponse:
    """Set the PTR of one of this server's addresses (only its own: checked against the server)."""
    server_ref = _ref(ref)
    form = ReverseDnsForm(request.POST, auto_id=f"id_ptr{request.POST.get('ip_id', '')[:12]}_%s")

    def call() -> None:
        server = servers.servers_get(actor=actor_for(request), server=server_ref)
        ip_id = form.cleaned_data["ip_id"]
        if not any(ip.id == ip_id for ip in server.ip_addresses or []):
            raise InvalidInput(fields={"ptr": "This address does not belong to the server."})
        network.ip_addresses_update(
            actor=actor_for(request),
            ip_address=f"{server_ref.account_id}:{ip_id}",
            ptr=form.cleaned_data["ptr"],
            reason=form.cleaned_data["reason"],
        )

    return _write(request, server_ref, "ptr", form, call, "Reverse DNS updated.")


@reaches("isos_list", "servers_modify_isos")
@team_permission_required("servers_modify_isos", writes=False)
@require_POST
def server_isos(request: HttpRequest, ref: str) -> HttpResponse:
    """Mount (or unmount, with "None") the primary and secondary ISO."""

    def form() -> Any:
        isos = library.isos_list(actor=actor_for(request), account=_ref(ref).account_id)
        return IsoForm(request.POST, isos=[(i.id, i.name or "") for i in isos if i.id is not None])

    return _declared_write(request, ref, "iso", server_actions.ISOS, form)


@reaches("ssh_keys_list", "servers_update_ssh_keys")
@team_permission_required("servers_update_ssh_keys", writes=False)
@require_POST
def server_ssh_keys(request: HttpRequest, ref: str) -> HttpResponse:
    def form() -> Any:
        keys = library.ssh_keys_list(actor=actor_for(request), account=_ref(ref).account_id)
        return SshKeysForm(request.POST, keys=[(k.id, k.name or "") for k in keys if k.id is not None])

    return _declared_write(request, ref, "keys", server_actions.SSH_KEYS, form)


# -- chart data ----------------------------------------------------------------------------------
def _chart_error(exc: PanelError) -> JsonResponse:
    if isinstance(exc, NotFoundError):
        raise Http404(exc.message) from exc
    return JsonResponse({"error": exc.message}, status=200)


@reaches("servers_metrics")
@team_permission_required("servers_metrics")
@require_GET
def server_metrics(request: HttpRequest, ref: str) -> JsonResponse:
    """CPU, disk and network series of one month (`?month=YYYY-MM`, default: the latest data)."""
    server_ref = _ref(ref)
    month = year = None
    value = request.GET.get("month", "")
    if value:
        try:
            parsed = datetime.strptime(value, "%Y-%m")
        except ValueError:
            return JsonResponse({"error": "Choose a month as YYYY-MM."}, status=400)
        month, year = parsed.month, parsed.year
    try:
        metrics = servers.servers_metrics(actor=actor_for(request), server=server_ref, month=month, year=year)
    except PanelError as exc:
        return _chart_error(exc)
    points = sorted(
        (p for p in metrics.data or [] if p.timestamp is not None), key=lambda p: p.timestamp or 0
    )
    return JsonResponse(
        {
            "x": [p.timestamp for p in points],
            "charts": [
                {
                    "title": "CPU",
                    "unit": "%",
                    "series": [{"label": "CPU %", "data": [p.cpu for p in points]}],
                },
                {
                    "title": "Disk",
                    "unit": "GB",
                    "series": [{"label": "Disk GB", "data": [p.disk for p in points]}],
                },
                {
                    "title": "Network",
                    "unit": "",
                    "series": [
                        {"label": "In", "data": [p.network_in for p in points]},
                        {"label": "Out", "data": [p.network_out for p in points]},
                    ],
                },
            ],
        }
    )


@reaches("servers_bandwidth")
@team_permission_required("servers_bandwidth")
@require_GET
def server_bandwidth(request: HttpRequest, ref: str) -> JsonResponse:
    """Daily traffic: VPSBG's current period, or the last `?days=` (7, 30, 90); with the limit."""
    server_ref = _ref(ref)
    value = request.GET.get("days", "")
    start = end = None
    if value:
        if value not in BANDWIDTH_RANGES:
            return JsonResponse({"error": "Choose 7, 30 or 90 days."}, status=400)
        now = datetime.now(UTC)
        start, end = int((now - timedelta(days=BANDWIDTH_RANGES[value])).timestamp()), int(now.timestamp())
    try:
        usage = servers.servers_bandwidth(actor=actor_for(request), server=server_ref, start=start, end=end)
    except PanelError as exc:
        return _chart_error(exc)
    points = sorted(
        (p for p in usage.daily_usage or [] if p.timestamp is not None), key=lambda p: p.timestamp or 0
    )
    return JsonResponse(
        {
            "x": [p.timestamp for p in points],
            "used": usage.used,
            "limit": usage.limit,
            "charts": [
                {
                    "title": "Bandwidth per day",
                    "unit": "GB",
                    "series": [
                        {"label": "Incoming", "data": [p.incoming for p in points]},
                        {"label": "Outgoing", "data": [p.outgoing for p in points]},
                    ],
                }
            ],
        }
    )
