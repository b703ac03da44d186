"""Servers: the list across the team's accounts and one server's page with its quick actions.

Reads that fail upstream render the page with a clear message and a retry button; a server that
does not exist or is outside the member's scope is a 404. Quick writes (hostname, reverse DNS,
ISOs, SSH keys) call their service directly, power actions go through the actions pipeline
(`panel.actions`); an htmx request gets the refreshed section back,
a plain form post is redirected to the server page with a flash message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

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
from panel.core.errors import InvalidInput, NotFoundError, PanelError
from panel.services import aggregates, library, network, servers
from panel.services.context import ServerRef, parse_server_ref
from panel.services.registry import reaches

from ..common import Problem, actor_for, allowed_actions, error_text, field_errors, problem_from
from ..forms import HostnameForm, IsoForm, ReverseDnsForm, ServerFilterForm, SshKeysForm
from ..htmx import is_fragment_request, render_page_or_fragment
from ..server_state import power_state

WRITE_OPERATIONS = (
    "servers_start", "servers_restart", "servers_stop", "servers_power_off",
    "servers_update_hostname", "ip_addresses_update", "servers_modify_isos", "servers_update_ssh_keys",
)  # fmt: skip
TRAIL_LENGTH = 20
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
        context["rows"] = [{"item": s, "state": power_state(s.server)} for s in items]
        context["warnings"] = result.warnings
        context["sort"] = sort
    context["query"] = request.GET.urlencode()
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
    request: HttpRequest, ref: ServerRef, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The server page; `forms` replaces a blank form with a bound one that has errors."""
    forms = forms or {}
    server, problem = _server_or_problem(request, ref)
    context: dict[str, Any] = {"ref": str(ref), "server": server, "problem": problem}
    context["server_account"] = ref.account_id
    if server is not None:
        context.update(_power_context(request, ref, server))
        actor, account = actor_for(request), ref.account_id
        snapshots, context["snapshots_problem"] = _section(
            lambda: library.snapshots_list(actor=actor, server=ref)
        )
        backups, context["backups_problem"] = _section(lambda: library.backups_list(actor=actor, server=ref))
        isos, context["isos_problem"] = _section(lambda: library.isos_list(actor=actor, account=account))
        keys, context["keys_problem"] = _section(lambda: library.ssh_keys_list(actor=actor, account=account))
        context["snapshots"], context["backups"] = snapshots, backups
        floating, context["floating_problem"] = _section(
            lambda: network.floating_ips_list(actor=actor, account=account, per_page=50)
        )
        context["floating_ips"] = [ip for ip in floating if ip.server_id == server.id]
        context["hostname_form"] = forms.get("hostname") or HostnameForm(
            initial={"hostname": server.hostname}
        )
        context["iso_form"] = forms.get("iso") or IsoForm(
            isos=[(i.id, i.name or f"ISO {i.id}") for i in isos]
        )
        current_keys = [str(k.id) for k in keys if any(s.id == server.id for s in (k.servers or []))]
        context["keys_form"] = forms.get("keys") or SshKeysForm(
            keys=[(k.id, k.name or f"Key {k.id}") for k in keys], initial={"ssh_keys": current_keys}
        )
        ptr_form = forms.get("ptr")
        context["ip_rows"] = [
            {
                "ip": ip,
                "protection": f"{ref.account_id}:{ip.id}" if ip.ddos_protected and ip.id is not None else "",
                "form": ptr_form
                if ptr_form is not None and str(ptr_form.data.get("ip_id")) == str(ip.id)
                else ReverseDnsForm(
                    initial={"ip_id": ip.id, "ptr": ip.ptr or ""}, auto_id=f"id_ptr{ip.id}_%s"
                ),
            }
            for ip in server.ip_addresses or []
        ]
        if ptr_form is not None and not any(row["form"] is ptr_form for row in context["ip_rows"]):
            # The address is not one of this server's: show why above the table.
            context["ptr_errors"] = [e for errors in ptr_form.errors.values() for e in errors]
        context["action_links"] = _action_links(request, ref, server, context.get("status"))
        context["may_copies"] = allowed_actions(
            request, "servers_restore", "snapshots_delete", "backups_delete"
        )
        context["bandwidth_ranges"] = list(BANDWIDTH_RANGES)
        context["months"] = _recent_months()
    context.update(_trail(request, ref))
    return render_page_or_fragment(
        request, "web/servers/detail.html", "web/servers/_detail_body.html", context, status=status
    )


def _action_links(request: HttpRequest, ref: ServerRef, server: Any, status: Any) -> list[dict[str, Any]]:
    """Links to the confirmation pages this member may use, for the state the server is in."""
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
            "url": reverse(f"web:server_{action.slug.replace('-', '_')}", kwargs={"ref": str(ref)}),
            "destructive": action.destructive,
        }
        for action in ACTIONS
        if not hidden.get(action.slug) and can(membership, action.operation_id)
    ]


def _recent_months(count: int = 6) -> list[tuple[str, str]]:
    """The last `count` months as `("YYYY-MM", "Month YYYY")` for the metrics range choice."""
    today = datetime.now(UTC).date().replace(day=1)
    months = []
    for _ in range(count):
        months.append((today.strftime("%Y-%m"), today.strftime("%B %Y")))
        today = (today - timedelta(days=1)).replace(day=1)
    return months


@reaches("servers_get", "servers_status", "snapshots_list", "backups_list", "isos_list", "ssh_keys_list")
@team_permission_required("servers_get")
@require_GET
def server_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """The server page; an htmx request aimed at the power section gets only that section."""
    server_ref = _ref(ref)
    if is_fragment_request(request) and request.htmx.target == "power":  # type: ignore[attr-defined]
        return render_page_or_fragment(
            request, "web/servers/detail.html", "web/servers/_power.html", _power_context(request, server_ref)
        )
    return _detail(request, server_ref)


def _done(request: HttpRequest, ref: ServerRef, message: str, *, error: bool = False) -> HttpResponse:
    """After a quick write: the power section for htmx, else back to the server page with a flash."""
    if is_fragment_request(request) and request.htmx.target == "power":  # type: ignore[attr-defined]
        context = _power_context(request, ref)
        context["result"] = {"message": message, "error": error}
        return render_page_or_fragment(request, "web/servers/detail.html", "web/servers/_power.html", context)
    (messages.error if error else messages.success)(request, message)
    return redirect(reverse("web:server_detail", kwargs={"ref": str(ref)}))


def _power(request: HttpRequest, ref: str, action: Action) -> HttpResponse:
    """A power action through the actions pipeline (which checks the role, once)."""
    server_ref = _ref(ref)
    try:
        pipeline.submit(
            action, actor=actor_for(request), target=server_ref, reason=request.POST.get("reason", "")[:500]
        )
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
            return _detail(request, ref, forms={form_key: form}, status=exc.status)
        else:
            return _done(request, ref, ok)
    return _detail(request, ref, forms={form_key: form}, status=422)


@reaches("servers_update_hostname")
@team_permission_required("servers_update_hostname")
@require_POST
def server_hostname(request: HttpRequest, ref: str) -> HttpResponse:
    server_ref = _ref(ref)
    form = HostnameForm(request.POST)
    return _write(
        request,
        server_ref,
        "hostname",
        form,
        lambda: servers.servers_update_hostname(
            actor=actor_for(request),
            server=server_ref,
            hostname=form.cleaned_data["hostname"],
            reason=form.cleaned_data["reason"],
        ),
        "Hostname changed.",
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
@team_permission_required("servers_modify_isos")
@require_POST
def server_isos(request: HttpRequest, ref: str) -> HttpResponse:
    """Mount (or unmount, with "None") the primary and secondary ISO."""
    server_ref = _ref(ref)
    try:
        isos = library.isos_list(actor=actor_for(request), account=server_ref.account_id)
    except PanelError as exc:
        problem = problem_from(exc)
        return _done(request, server_ref, problem.message, error=True)
    form = IsoForm(request.POST, isos=[(i.id, i.name or "") for i in isos])
    return _write(
        request,
        server_ref,
        "iso",
        form,
        lambda: servers.servers_modify_isos(
            actor=actor_for(request),
            server=server_ref,
            primary_iso_id=form.cleaned_data["primary_iso_id"],
            secondary_iso_id=form.cleaned_data["secondary_iso_id"],
            reason=form.cleaned_data["reason"],
        ),
        "ISOs updated.",
    )


@reaches("ssh_keys_list", "servers_update_ssh_keys")
@team_permission_required("servers_update_ssh_keys")
@require_POST
def server_ssh_keys(request: HttpRequest, ref: str) -> HttpResponse:
    server_ref = _ref(ref)
    try:
        keys = library.ssh_keys_list(actor=actor_for(request), account=server_ref.account_id)
    except PanelError as exc:
        problem = problem_from(exc)
        return _done(request, server_ref, problem.message, error=True)
    form = SshKeysForm(request.POST, keys=[(k.id, k.name or "") for k in keys])
    return _write(
        request,
        server_ref,
        "keys",
        form,
        lambda: servers.servers_update_ssh_keys(
            actor=actor_for(request),
            server=server_ref,
            ssh_keys=form.cleaned_data["ssh_keys"],
            reason=form.cleaned_data["reason"],
        ),
        "SSH keys updated.",
    )


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
    points = sorted((p for p in metrics.data or [] if p.timestamp is not None), key=lambda p: p.timestamp)
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
        (p for p in usage.daily_usage or [] if p.timestamp is not None), key=lambda p: p.timestamp
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
