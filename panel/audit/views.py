"""Review pages of the audit log: list with filters and search, event detail, streamed exports.

Who sees what: staff reviewers see every team; a member whose role has `audit.read` (Owner, Admin)
sees the current team's events; anyone else gets 403. Another team's event is a 404 for non-staff,
as if it did not exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from panel.accounts.decorators import login_and_second_factor_required, render_denied
from panel.accounts.middleware import current_membership
from panel.accounts.permissions import ROLE_PERMISSIONS, ActionDenied, is_staff_reviewer, require
from panel.accounts.requests import SignedInRequest
from panel.core.sorting import SortOrder, sort_rows
from panel.web.htmx import render_page_or_fragment

from . import export
from .filters import AuditEventFilter
from .models import AuditEvent, AuditPurge
from .purge import PURGE_OPERATION_ID

PAGE_SIZE = 50
# Suggestions for the action filter: every operationId and panel action, plus the log's own.
ACTION_NAMES = sorted({*ROLE_PERMISSIONS, PURGE_OPERATION_ID})
REQUIRED_ACTION = "audit.read"
SORTS = SortOrder(
    {
        "seq": "seq", "time": "created_at", "actor": "actor_name", "team": "team_name",
        "action": "operation_id", "target": ("target_label", "target_id"), "outcome": "outcome",
        "upstream": "upstream_status",
    },
    default="-seq",
    table="audit-table",
)  # fmt: skip


@dataclass(frozen=True)
class AuditScope:
    events: QuerySet[AuditEvent]
    all_teams: bool
    team_name: str = ""


def audit_scope(request: HttpRequest) -> AuditScope:
    """The events this person may review; raises `ActionDenied` when none."""
    if is_staff_reviewer(request.user):
        return AuditScope(AuditEvent.objects.all(), all_teams=True)
    membership = current_membership(request)
    require(membership, REQUIRED_ACTION)
    assert membership is not None  # require() raised otherwise
    return AuditScope(AuditEvent.objects.for_team(membership.team_id), False, membership.team.name)


def _filtered(request: HttpRequest, scope: AuditScope) -> AuditEventFilter:
    return AuditEventFilter(request.GET or None, queryset=scope.events, show_team=scope.all_teams)


@require_GET
@login_and_second_factor_required
def event_list(request: SignedInRequest) -> HttpResponse:
    try:
        scope = audit_scope(request)
    except ActionDenied as error:
        return render_denied(request, error)
    filterset = _filtered(request, scope)
    events = sort_rows(filterset.qs, SORTS, request.GET)
    page = Paginator(events.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "events": events,
        "scope": scope,
        "querystring": query.urlencode(),
        "last_purge": AuditPurge.objects.order_by("-anchor_seq").first() if scope.all_teams else None,
        "action_names": ACTION_NAMES,
    }
    return render_page_or_fragment(request, "audit/event_list.html", "audit/_results.html", context)


@require_GET
@login_and_second_factor_required
def event_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    try:
        scope = audit_scope(request)
    except ActionDenied as error:
        return render_denied(request, error)
    event = get_object_or_404(scope.events, pk=pk)
    params_json = json.dumps(event.params, indent=2, sort_keys=True, ensure_ascii=False)
    context = {"event": event, "scope": scope, "params_json": params_json}
    return render(request, "audit/event_detail.html", context)


def _export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    try:
        scope = audit_scope(request)
    except ActionDenied as error:
        return render_denied(request, error)
    filterset = _filtered(request, scope)
    if filterset.is_bound and not filterset.is_valid():
        # Exporting everything when the filter was mistyped would hand out more than asked for.
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
        message = f"Invalid filter, nothing exported. {problems}"
        return HttpResponseBadRequest(message, content_type="text/plain")
    return export.streaming_export(filterset.qs, fmt)


@require_GET
@login_and_second_factor_required
def export_csv(request: SignedInRequest) -> HttpResponse | StreamingHttpResponse:
    return _export(request, "csv")


@require_GET
@login_and_second_factor_required
def export_json(request: SignedInRequest) -> HttpResponse | StreamingHttpResponse:
    return _export(request, "json")
