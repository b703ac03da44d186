"""Bulk action pages: the confirmation (one count typed for the whole batch), the batch's page with
each server's result, and "retry the failed ones".

The servers list sends the chosen rows (or "all that match this filter", resolved here) with the
action; the confirmation page lists them by hostname and POSTs exactly those.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseStopPolling

from panel.accounts.decorators import render_denied, team_permission_required
from panel.accounts.permissions import can
from panel.actions import pipeline
from panel.actions import registry as actions
from panel.actions.base import Action
from panel.actions.request import ActionRequest
from panel.core.errors import InvalidInput, NotFoundError, PanelError
from panel.operations.models import Operation
from panel.services.registry import reaches
from panel.web.common import actor_for, error_text, field_errors, problem_from

from . import batches, selection
from .batches import bulk_actions
from .forms import bulk_form

__all__ = ["batch_detail", "batch_retry", "bulk_actions", "bulk_new"]


def _action(request: HttpRequest, name: str) -> Action:
    action = actions.get(name)
    if action is None or action not in bulk_actions(request.membership):  # type: ignore[attr-defined]
        raise Http404("No such action for many servers.")
    return action


def _servers(request: HttpRequest, data: Any) -> list[tuple[str, str]]:
    """(reference, hostname) of the chosen rows, or of every server the filter matches now."""
    found = selection.servers_matching(actor_for(request), data.get("filter", ""))
    names = {server.ref: server.hostname for server in found}
    if data.get("scope") == "filter":
        return [(server.ref, server.hostname) for server in found]
    refs = selection.chosen(data.getlist("servers"))
    return [(ref, names.get(ref, ref)) for ref in refs if ref in names]


@reaches("servers_list")
@team_permission_required("bulk.run")
def bulk_new(request: HttpRequest) -> HttpResponse:
    """GET: the confirmation of one action on the chosen servers; POST: start the batch."""
    data = request.POST if request.method == "POST" else request.GET
    if not data.get("action"):  # the list's form chooses one; without it, back to the list
        return redirect(reverse("web:servers"))
    action = _action(request, data.get("action", ""))
    context: dict[str, Any] = {"action": action, "problem": None, "back_url": reverse("web:servers")}
    try:
        servers = _servers(request, data)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        return render(request, "bulk/confirm.html", context)
    context["servers"] = servers
    context["filter"] = data.get("filter", "")
    form_type = bulk_form(action)
    if request.method != "POST":
        if not servers:
            messages.error(request, "Choose at least one server in the list first.")
            return redirect(reverse("web:servers") + (f"?{context['filter']}" if context["filter"] else ""))
        context["form"] = form_type(servers=servers)
        return render(request, "bulk/confirm.html", context)
    form = form_type(request.POST, servers=servers)
    if form.is_valid():
        actor = actor_for(request)
        reason = form.cleaned_data.get("reason") or ""
        try:
            requests = [
                ActionRequest.create(action, actor=actor, target=ref, data=form.input, reason=reason)
                for ref, _ in servers
            ]
            key = form.cleaned_data.get("request_key") or ""
            parent = batches.start_batch(requests, idempotency_key=f"bulk:{key}"[:100] if key else "")
        except pipeline.Pending as exc:
            context.update(message=exc.message, count=len(servers))
            return render(request, "bulk/pending.html", context, status=202)
        except pipeline.Refused as exc:
            return render_denied(request, exc)
        except InvalidInput as exc:
            field_errors(form, exc)
        except PanelError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"{action.label}: started on {len(servers)} servers.")
            return redirect(reverse("bulk:detail", kwargs={"pk": parent.pk}))
    context["form"] = form
    return render(request, "bulk/confirm.html", context, status=422)


def _batch(request: HttpRequest, pk: int) -> Operation:
    parent = Operation.objects.filter(team=request.team, pk=pk, kind__startswith="bulk_").first()  # type: ignore[attr-defined]
    if parent is None or request.membership.is_server_limited:  # type: ignore[attr-defined]
        raise Http404("No such batch.")
    return parent


@team_permission_required("operations.view")
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Each server's result; htmx refreshes the table until the batch ends (then 286 stops it)."""
    parent = _batch(request, pk)
    batch = batches.Batch.of(parent)
    context = {
        "batch": batch,
        "op": parent,
        "action": actions.get(str(parent.params.get("action", ""))),
        "may_retry": can(request.membership, "bulk.run")  # type: ignore[attr-defined]
        and can(request.membership, str(parent.params.get("action", ""))),  # type: ignore[attr-defined]
        "retry_of": parent.params.get("retry_of"),
        "schedule": parent.params.get("schedule"),
        "succeeded": batch.count("succeeded"),
        "failed": batch.count("failed"),
    }
    if getattr(request, "htmx", False):
        response = render(request, "bulk/_items.html", context)
        if parent.is_ended:
            stop = HttpResponseStopPolling(response.content)
            stop["Content-Type"] = response["Content-Type"]
            response = stop
    else:
        response = render(request, "bulk/detail.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@team_permission_required("bulk.run")
def batch_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """A new batch of just the servers that failed here."""
    parent = _batch(request, pk)
    try:
        again = batches.retry_failed(parent, actor=actor_for(request))
    except pipeline.Pending as exc:
        context = {"message": exc.message, "back_url": reverse("bulk:detail", kwargs={"pk": parent.pk})}
        return render(request, "bulk/pending.html", context, status=202)
    except pipeline.Refused as exc:
        return render_denied(request, exc)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PanelError as exc:
        messages.error(request, error_text(exc))
        return redirect(reverse("bulk:detail", kwargs={"pk": parent.pk}))
    messages.success(request, "Retrying the servers that failed.")
    return redirect(reverse("bulk:detail", kwargs={"pk": again.pk}))
