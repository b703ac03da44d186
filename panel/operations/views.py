"""Operation pages: the team's list (running and ended), one operation with its live progress.

One URL serves the full page or, for htmx polling (`HX-Request`), the progress fragment; once the
operation has ended the fragment is answered with 286 (`HttpResponseStopPolling`) so the browser
stops asking. Another team's operation is a 404, never a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from panel.accounts.decorators import team_permission_required
from panel.accounts.requests import TeamRequest
from panel.core.errors import PanelError
from panel.core.sorting import SortOrder, sort_rows
from panel.services.context import parse_server_ref
from panel.services.execution import team_accounts

from . import services
from .models import ACTIVE_STATES, END_STATES, Operation

ENDED_SORTS = SortOrder(
    {"id": "pk", "what": "kind", "target": ("target_label", "target_id"), "by": "actor_name",
     "result": "state", "finished": "finished_at"},
    default="-id",
    table="operations-ended",
)  # fmt: skip


def _visible(request: TeamRequest) -> QuerySet[Operation]:
    """The team's operations this member may see (a member limited to servers sees those only)."""
    query = Operation.objects.filter(team=request.team).select_related("actor")
    membership = request.membership
    if membership.is_server_limited:
        query = query.filter(target_type="server", target_id__in=list(membership.server_scope))
    return query


def _fragment(request: HttpRequest, op: Operation) -> HttpResponse:
    """The progress; for the operation's own page (`?log=1`) also its step log, swapped out of band."""
    context = {"op": op, "polling": not op.is_ended}
    if request.GET.get("log") == "1":
        context.update(with_log=True, oob=True, log=op.log.all()[:500])
    response = render(request, "operations/_progress.html", context)
    if op.is_ended:
        stop = HttpResponseStopPolling(response.content)
        stop["Content-Type"] = response["Content-Type"]
        response = stop
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@team_permission_required("operations.view")
def operation_list(request: TeamRequest) -> HttpResponse:
    ops = _visible(request)
    running = list(ops.filter(state__in=ACTIVE_STATES)[:100])
    ended = sort_rows(ops.filter(state__in=END_STATES), ENDED_SORTS, request.GET)
    page = Paginator(ended.rows, 50).get_page(request.GET.get("page"))
    return render(request, "operations/list.html", {"running": running, "ended": page, "sorted": ended})


@require_GET
@team_permission_required("operations.view")
def operation_detail(request: TeamRequest, pk: int) -> HttpResponse:
    op = get_object_or_404(_visible(request), pk=pk)
    if getattr(request, "htmx", False):
        return _fragment(request, op)
    response = render(
        request,
        "operations/detail.html",
        {"op": op, "log": op.log.all()[:500], "polling": not op.is_ended},
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@team_permission_required("operations.view")
def operation_cancel(request: TeamRequest, pk: int) -> HttpResponse:
    op = get_object_or_404(_visible(request), pk=pk)
    try:
        services.cancel(actor=request.membership, operation=op, request=request)
    except PanelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Cancel requested for operation {op.pk}.")
    return redirect(op.get_absolute_url())


@require_GET
@team_permission_required("operations.view")
def server_progress(request: TeamRequest, server: str) -> HttpResponse:
    """The progress fragment of the operation running on one server (for the server page)."""
    try:
        ref = parse_server_ref(server)
    except PanelError:
        raise Http404("No such server.") from None
    visible = ref.account_id in team_accounts(request.team) and request.membership.may_see_server(
        ref.account_id, ref.id
    )
    if not visible:
        raise Http404("No such server.")
    ops = Operation.objects.filter(team=request.team, target_type="server", target_id=str(ref))
    op = ops.filter(state__in=ACTIVE_STATES).first() or ops.first()
    if op is None:
        response = HttpResponseStopPolling("") if getattr(request, "htmx", False) else HttpResponse("")
        patch_vary_headers(response, ("HX-Request",))
        return response
    return _fragment(request, op)
