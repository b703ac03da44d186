"""Schedule pages: the list (with each schedule's next run and last outcome), a new schedule (pick
the action, then the form derived from it), one schedule (next runs, history, the snapshots it
keeps) and pause / resume / delete. Thin: the rules are in `services`, runs in `runs`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from panel.accounts.decorators import team_permission_required
from panel.accounts.permissions import can
from panel.actions import registry as actions
from panel.bulk.selection import servers_matching
from panel.core.errors import InvalidInput, NotAllowed, NotFoundError, PanelError
from panel.services.registry import reaches
from panel.web.common import actor_for, error_text, field_errors, problem_from

from . import services, timing
from .forms import schedule_form
from .models import Schedule, TargetKind

__all__ = [
    "schedule_delete",
    "schedule_detail",
    "schedule_list",
    "schedule_new",
    "schedule_pause",
    "schedule_resume",
]


def _facts(schedule: Schedule) -> dict[str, Any]:
    action = actions.get(schedule.action)
    return {
        "schedule": schedule,
        "action_label": action.label if action else schedule.action,
        "target": services.describe_target(schedule),
        "timing": services.describe_timing(schedule),
    }


@require_GET
@team_permission_required("schedules.view")
def schedule_list(request: HttpRequest) -> HttpResponse:
    schedules = services.visible(actor_for(request))
    rows = []
    for schedule in schedules:
        row = _facts(schedule)
        row["last"] = schedule.runs.first()
        rows.append(row)
    return render(
        request,
        "schedules/list.html",
        {"rows": rows, "may_manage": can(request.membership, "schedules.manage")},  # type: ignore[attr-defined]
    )


def _get(request: HttpRequest, pk: int) -> Schedule:
    try:
        return services.get(actor_for(request), pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


@require_GET
@team_permission_required("schedules.view")
def schedule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _get(request, pk)
    context = _facts(schedule)
    try:
        upcoming = [] if schedule.paused else timing.next_runs(schedule, 5)
    except PanelError:
        upcoming = []
    context.update(
        upcoming=upcoming,
        runs=list(schedule.runs.select_related("operation")[:50]),
        snapshots=list(schedule.snapshots.all()[:200]) if schedule.keep_last else [],
        may_manage=can(request.membership, "schedules.manage"),  # type: ignore[attr-defined]
    )
    return render(request, "schedules/detail.html", context)


@reaches("servers_list")
@team_permission_required("schedules.manage")
def schedule_new(request: HttpRequest) -> HttpResponse:
    """Pick a schedulable action (GET without one), then its form; POST creates the schedule."""
    data = request.POST if request.method == "POST" else request.GET
    offered = services.schedulable_actions(actor_for(request))
    action = next((a for a in offered if a.name == data.get("action")), None)
    context: dict[str, Any] = {"offered": offered, "action": action, "query": request.GET.urlencode()}
    if action is None:
        return render(request, "schedules/new.html", context)
    try:
        servers = [(s.ref, s.hostname) for s in servers_matching(actor_for(request), "")]
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        servers = []
    form_type = schedule_form(action)
    options = {"servers": servers, "snapshots": action.name == "servers_snapshots_create"}
    if request.method != "POST":
        zone = getattr(request.user, "time_zone", "") or "UTC"
        initial = {"target_kind": data.get("target_kind") or TargetKind.SERVER, "time_zone": zone}
        if data.get("target_kind") == TargetKind.FILTER:
            initial["filter"] = data.get("target_value", "")
        context["form"] = form_type(initial=initial, **options)
        return render(request, "schedules/new.html", context)
    form = form_type(request.POST, **options)
    if form.is_valid():
        spec = services.ScheduleSpec(
            name=form.cleaned_data["name"],
            action=action.name,
            target_kind=form.cleaned_data["target_kind"],
            target_value=form.target_value(),
            input=form.input.model_dump(mode="json", exclude_none=True),
            interval_minutes=form.cleaned_data.get("interval_minutes"),
            cron=form.cleaned_data.get("cron") or "",
            time_zone=form.cleaned_data["time_zone"],
            keep_last=form.cleaned_data.get("keep_last"),
        )
        try:
            schedule = services.create(actor_for(request), spec)
        except InvalidInput as exc:
            box = {"server": "server", "label": "label"}.get(form.cleaned_data["target_kind"], "filter")
            field_errors(form, exc, aliases={"target_value": box})
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        except NotFoundError as exc:
            form.add_error("server", exc.message)
        except PanelError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"Schedule “{schedule.name}” created; next run shown below.")
            return redirect(schedule.get_absolute_url())
    context["form"] = form
    return render(request, "schedules/new.html", context, status=422)


def _change(request: HttpRequest, pk: int, paused: bool) -> HttpResponse:
    schedule = _get(request, pk)
    try:
        services.set_paused(actor_for(request), schedule, paused)
    except PanelError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Schedule paused." if paused else "Schedule resumed from its next run.")
    return redirect(schedule.get_absolute_url())


@require_POST
@team_permission_required("schedules.manage")
def schedule_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(request, pk, True)


@require_POST
@team_permission_required("schedules.manage")
def schedule_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(request, pk, False)


@require_POST
@team_permission_required("schedules.manage")
def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _get(request, pk)
    name = schedule.name
    try:
        services.delete(actor_for(request), schedule)
    except PanelError as exc:
        messages.error(request, error_text(exc))
        return redirect(schedule.get_absolute_url())
    messages.success(request, f"Schedule “{name}” deleted; the snapshots it made stay at VPSBG.")
    return redirect(reverse("schedules:list"))
