"""Support: one VPSBG account's tickets (thread, replies, attachments) and its support plan.

Everything belongs to one VPSBG account, chosen with `?account=` like the Library page. The
tickets list and the plans fail on their own (an upstream problem beside the other, with a retry).
The reference lists tickets with `page`/`per_page` only: the status filter is applied here, over
the newest tickets (a bounded walk), and says so when it could not look at them all.

Buying or renewing a plan creates a VPSBG order (which VPSBG may charge from the balance at once):
the confirmation page shows the plan's monthly price times the period (the reference has no
calculate endpoint for plans) and asks for the plan's name typed in full; a one-time key makes a
double submit harmless. Marking a ticket resolved asks for its number.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from panel.accounts.decorators import team_permission_required
from panel.actions import billing as billing_actions
from panel.actions import support as support_actions
from panel.actions.base import Action
from panel.actions.inputs import BILLING_CYCLE_LABELS
from panel.core.errors import NotFoundError, PanelError
from panel.core.sorting import SortOrder, sort_rows
from panel.services import billing, support
from panel.services.context import Ref
from panel.services.registry import reaches

from .. import action_runs
from ..common import (
    account_choice,
    actor_for,
    allowed_actions,
    chosen_account,
    object_ref,
    problem_from,
    team_accounts,
)
from ..htmx import is_fragment_request, render_page_or_fragment
from ..support_forms import (
    PlanCancelForm,
    PlanOrderForm,
    ReasonForm,
    ReplyForm,
    ResolveForm,
    TicketFilterForm,
    TicketForm,
)

SUPPORT_ACTIONS = (
    "support_tickets_create", "support_tickets_reply", "support_tickets_resolve",
    "support_tickets_attachment_download", "support_plans_purchase", "support_plans_renew",
    "support_plans_cancel", "support_plans_undo_cancel",
)  # fmt: skip
PER_PAGE = 25
SCAN_PER_PAGE = 50  # the largest page VPSBG lists serve elsewhere
SCAN_PAGES = 20
# Rows are (ticket, department name); VPSBG sorts no list of tickets, so a page is sorted here.
TICKET_SORTS = SortOrder(
    {
        "id": lambda r: r[0].id, "subject": lambda r: r[0].subject, "department": lambda r: r[1],
        "status": lambda r: r[0].status, "updated": lambda r: r[0].updated_at,
        "service": lambda r: r[0].service_label,
    },
    default="-updated",
    table="tickets",
)  # fmt: skip
CLOSED_STATUSES = frozenset({"resolved", "closed"})
SUBMITTED_TTL = 24 * 3600


# -- small helpers ---------------------------------------------------------------------------------
def _support_url(account: str | None, anchor: str = "") -> str:
    query = f"?{urlencode({'account': account})}" if account else ""
    return f"{reverse('web:support')}{query}{'#' + anchor if anchor else ''}"


def _ticket_url(ticket_ref: Ref, anchor: str = "") -> str:
    return reverse("web:ticket", kwargs={"ref": str(ticket_ref)}) + (f"#{anchor}" if anchor else "")


def _account_or_404(request: HttpRequest) -> tuple[str, str]:
    """(account id, label) of `?account=` or the team's first account; 404 when it has none."""
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    if account is None:
        raise Http404("This team has no VPSBG account.")
    return account, accounts[account]


def _first_submit(key: str) -> bool:
    """False when this confirmation page was already submitted (a double click, a reload)."""
    return not key or cache.add(f"web:support:submitted:{key}", 1, SUBMITTED_TTL)


def _forget_submit(key: str) -> None:
    if key:
        cache.delete(f"web:support:submitted:{key}")


def plain_text(content: str | None) -> str:
    """A message's HTML as text: block ends become line breaks, tags go, entities are decoded.

    The template escapes the result again, so nothing VPSBG sends is ever rendered as HTML.
    """
    text = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>", "\n", content or "")
    text = html.unescape(strip_tags(text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _department_names(request: HttpRequest, account: str) -> tuple[list[tuple[Any, str]], dict[str, str]]:
    """(choices of department ids, {slug or id: name}); an upstream failure propagates."""
    choices: list[tuple[Any, str]] = []
    names: dict[str, str] = {}
    for item in support.support_departments_list(actor=actor_for(request), account=account):
        ident, key = item.get("id"), item.get("key") or item.get("slug")
        name = str(item.get("name") or key or ident)
        if ident is not None:
            choices.append((ident, name))
            names[str(ident)] = name
        if key:
            names[str(key)] = name
    return choices, names


def _quiet_department_names(request: HttpRequest, account: str) -> dict[str, str]:
    """Department names for display only: without them the slug shows, so a failure is silent."""
    try:
        return _department_names(request, account)[1]
    except PanelError:
        return {}


# -- tickets list ----------------------------------------------------------------------------------
@dataclass
class TicketPage:
    tickets: list[Any]
    page: int = 1
    last_page: int = 1
    total: int = 0
    truncated: bool = False
    pages: list[int] = field(default_factory=list)


def _matches(ticket: Any, status: str) -> bool:
    closed = (ticket.status or "").lower() in CLOSED_STATUSES
    return closed if status == "closed" else not closed


def _ticket_page(request: HttpRequest, account: str, status: str, page: int) -> TicketPage:
    actor = actor_for(request)
    if not status:
        result = support.support_tickets_list(actor=actor, account=account, page=page, per_page=PER_PAGE)
        out = TicketPage(list(result), result.current_page, result.last_page, result.total)
    else:
        found: list[Any] = []
        truncated = True
        for number in range(1, SCAN_PAGES + 1):
            result = support.support_tickets_list(
                actor=actor, account=account, page=number, per_page=SCAN_PER_PAGE
            )
            found += [t for t in result if _matches(t, status)]
            if not result.items or not result.has_next:
                truncated = False
                break
        last = max(1, math.ceil(len(found) / PER_PAGE))
        page = min(page, last)
        out = TicketPage(found[(page - 1) * PER_PAGE : page * PER_PAGE], page, last, len(found), truncated)
    out.pages = [n for n in range(1, out.last_page + 1) if abs(n - out.page) <= 3 or n in (1, out.last_page)]
    return out


def _tickets_section(request: HttpRequest, account: str, context: dict[str, Any]) -> None:
    filters = TicketFilterForm(request.GET)
    status, page = filters.values()
    sort = request.GET.get(TICKET_SORTS.param, "")
    sort = sort if TICKET_SORTS.pick(sort) == sort else ""
    query = urlencode({k: v for k, v in (("account", account), ("status", status), ("sort", sort)) if v})
    context.update(filters=filters, status=status, ticket_query=query)
    try:
        context["tickets"] = _ticket_page(request, account, status, page)
    except PanelError as exc:
        context["tickets_problem"] = problem_from(exc)
    if "tickets" in context:
        names = _quiet_department_names(request, account)
        rows = [(t, names.get(t.department or "", t.department)) for t in context["tickets"].tickets]
        context["tickets_sort"] = sort_rows(rows, TICKET_SORTS, request.GET)
        context["rows"] = context["tickets_sort"].rows


# -- support plans ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SupportPlan:
    """One plan of the list, whatever extra fields VPSBG sends (the reference does not show them)."""

    key: str
    name: str
    price: float | None
    price_with_vat: float | None
    active: bool
    details: dict[str, Any]

    def cost(self, months: int) -> tuple[float | None, float | None]:
        return (
            None if self.price is None else round(self.price * months, 2),
            None if self.price_with_vat is None else round(self.price_with_vat * months, 2),
        )


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def _plan_of(item: dict[str, Any]) -> SupportPlan | None:
    key = item.get("key") or item.get("plan")
    if not key:
        return None
    return SupportPlan(
        key=str(key),
        name=str(item.get("name") or key),
        price=_number(item.get("price")),
        price_with_vat=_number(item.get("price_with_vat")),
        active=bool(item.get("active") or item.get("current")),
        details={
            k: v
            for k, v in item.items()
            if k not in {"key", "plan", "name", "price", "price_with_vat", "active", "current"}
        },
    )


def _plans(request: HttpRequest, account: str) -> list[SupportPlan]:
    items = billing.support_plans_list(actor=actor_for(request), account=account)
    return [p for p in (_plan_of(i) for i in items if isinstance(i, dict)) if p is not None]


def _cycle_labels(plan: SupportPlan) -> list[tuple[int, str]]:
    labels = []
    for months, text in ((int(value), label) for value, label in BILLING_CYCLE_LABELS.items()):
        amount, with_vat = plan.cost(months)
        if with_vat is not None:
            price = f"{with_vat:.2f} with VAT" + (f" ({amount:.2f} without)" if amount is not None else "")
        else:
            price = "price not stated by VPSBG"
        labels.append((months, f"{text} — {price}"))
    return labels


# -- the index page --------------------------------------------------------------------------------
@reaches("support_tickets_list", "support_departments_list", "support_plans_list")
@team_permission_required("support_tickets_list")
@require_GET
def support_index(request: HttpRequest) -> HttpResponse:
    """One account's tickets (status filter, pages) and its support plans."""
    context: dict[str, Any] = {
        **account_choice(request),
        "may": allowed_actions(request, *SUPPORT_ACTIONS),
        "undo_form": ReasonForm(),
    }
    account = context["account"]
    if account is not None:
        _tickets_section(request, account, context)
        if not is_fragment_request(request):
            try:
                context["plans"] = _plans(request, account)
            except PanelError as exc:
                context["plans_problem"] = problem_from(exc)
            context["active_plan"] = next((p for p in context.get("plans", []) if p.active), None)
    return render_page_or_fragment(request, "web/support/index.html", "web/support/_tickets.html", context)


# -- a new ticket ----------------------------------------------------------------------------------
def _service_choices(request: HttpRequest, account: str) -> list[tuple[str, str]]:
    out = []
    for item in support.support_related_services_list(actor=actor_for(request), account=account):
        ident, kind = item.get("id"), item.get("type") or item.get("service_type") or "server"
        if ident is not None:
            out.append((f"{kind}:{ident}", str(item.get("label") or item.get("name") or f"{kind} {ident}")))
    return out


def _new_ticket_page(request: HttpRequest, account: str, label: str) -> tuple[dict[str, Any], Any]:
    context: dict[str, Any] = {"account": account, "account_label": label, "back": _support_url(account)}
    departments: list[tuple[Any, str]] = []
    services: list[tuple[str, str]] = []
    try:
        departments = _department_names(request, account)[0]
    except PanelError as exc:
        context["problem"] = problem_from(exc)
    try:
        services = _service_choices(request, account)
    except PanelError as exc:
        context["services_problem"] = problem_from(exc)
    initial = {"service": request.GET.get("service", "")}
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    form = TicketForm(*data, departments=departments, services=services, initial=initial)
    context["form"] = form
    return context, form


@reaches("support_departments_list", "support_related_services_list", "support_tickets_create")
@team_permission_required("support_tickets_create", writes=False)
def ticket_create(request: HttpRequest) -> HttpResponse:
    """The new-ticket form (GET) and opening the ticket (POST)."""
    grant = None
    if request.method == "POST":
        try:
            grant = action_runs.authorise(
                request, support_actions.TICKET_CREATE, action_runs.requested_account(request)
            )
        except action_runs.Denied as denied:
            return denied.response
    account, label = _account_or_404(request)
    context, form = _new_ticket_page(request, account, label)
    if request.method != "POST":
        return render(request, "web/support/ticket_new.html", context)
    assert grant is not None
    if "problem" not in context and form.is_valid():
        outcome = action_runs.submit(
            request, support_actions.TICKET_CREATE, form, target=account, grant=grant, data=form.html_input(),
            aliases={"service_id": "service", "service_type": "service"},
        )  # fmt: skip
        if outcome is not None:
            ticket = outcome.value
            messages.success(request, f"Ticket #{ticket.id} opened; VPSBG support answers here.")
            return redirect(_ticket_url(Ref(account, str(ticket.id))))
    return render(request, "web/support/ticket_new.html", context, status=422)


# -- one ticket ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThreadMessage:
    id: int
    by_customer: bool
    created_at: datetime | None
    text: str
    attachments: list[Any]


def _thread(ticket: Any) -> list[ThreadMessage]:
    """The messages oldest first (VPSBG's order is not documented)."""
    oldest = datetime.min.replace(tzinfo=UTC)
    messages_ = sorted(
        ticket.messages or [],
        key=lambda m: (m.created_at.astimezone(UTC) if m.created_at else oldest, m.id),
    )
    return [
        ThreadMessage(
            m.id, bool(m.is_customer), m.created_at, plain_text(m.content), list(m.attachments or [])
        )
        for m in messages_
    ]


def _ticket_context(request: HttpRequest, ticket_ref: Ref) -> dict[str, Any]:
    """The ticket and its thread, or `problem` (a missing ticket is a 404)."""
    context: dict[str, Any] = {
        "ref": str(ticket_ref),
        "may": allowed_actions(request, *SUPPORT_ACTIONS),
        "back": _support_url(ticket_ref.account_id),
    }
    try:
        ticket = support.support_tickets_get(actor=actor_for(request), ticket=ticket_ref)
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        return context
    names = _quiet_department_names(request, ticket_ref.account_id)
    context.update(
        ticket=ticket,
        thread=_thread(ticket),
        department=names.get(ticket.department or "", ticket.department),
        closed=(ticket.status or "").lower() in CLOSED_STATUSES,
    )
    return context


def _ticket_page_response(
    request: HttpRequest, ticket_ref: Ref, form: Any = None, status: int = 200
) -> HttpResponse:
    context = _ticket_context(request, ticket_ref)
    context["form"] = form or ReplyForm()
    return render(request, "web/support/ticket.html", context, status=status)


@reaches("support_tickets_get", "support_departments_list")
@team_permission_required("support_tickets_get")
@require_GET
def ticket_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """One ticket: its thread oldest first, attachments, the reply form and "Mark resolved"."""
    return _ticket_page_response(request, object_ref(ref, "ticket"))


@reaches("support_tickets_reply", "support_tickets_get")
@team_permission_required("support_tickets_reply", writes=False)
@require_POST
def ticket_reply(request: HttpRequest, ref: str) -> HttpResponse:
    """Reply on the ticket's page: back to its latest message, or the page with the form (422)."""
    ticket_ref = object_ref(ref, "ticket")
    try:
        grant = action_runs.authorise(request, support_actions.TICKET_REPLY, ticket_ref)
    except action_runs.Denied as denied:
        return denied.response
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid() and action_runs.submit(
        request, support_actions.TICKET_REPLY, form, target=ticket_ref, grant=grant, data=form.html_input()
    ):
        messages.success(request, "Reply sent.")
        return redirect(_ticket_url(ticket_ref, "latest"))
    return _ticket_page_response(request, ticket_ref, form, status=422)


@reaches("support_tickets_get", "support_tickets_resolve")
@team_permission_required("support_tickets_resolve", writes=False)
def ticket_resolve(request: HttpRequest, ref: str) -> HttpResponse:
    """Mark a ticket resolved: what it means (GET), then the ticket number typed in full (POST)."""
    ticket_ref = object_ref(ref, "ticket")
    grant = None
    if request.method == "POST":
        try:
            grant = action_runs.authorise(request, support_actions.TICKET_RESOLVE, ticket_ref)
        except action_runs.Denied as denied:
            return denied.response
    context = _ticket_context(request, ticket_ref)
    context["back"] = _ticket_url(ticket_ref)
    if "problem" in context or context["closed"]:
        return render(request, "web/support/resolve.html", context)
    expected, label = str(context["ticket"].id), "Type the ticket number to confirm"
    status = 200
    if request.method == "POST":
        assert grant is not None
        form = ResolveForm(request.POST, expected=expected, label=label)
        if form.is_valid() and action_runs.submit(
            request, support_actions.TICKET_RESOLVE, form, target=ticket_ref, grant=grant, data={},
            aliases={"id": "confirm"},
        ):  # fmt: skip
            messages.success(request, f"Ticket #{expected} marked resolved.")
            return redirect(_ticket_url(ticket_ref))
        status = 422
    else:
        form = ResolveForm(expected=expected, label=label)
    context["form"] = form
    return render(request, "web/support/resolve.html", context, status=status)


@reaches("support_tickets_attachment_download")
@team_permission_required("support_tickets_attachment_download")
@require_GET
def attachment_download(request: HttpRequest, ref: str, attachment_id: int) -> HttpResponse:
    """The file, with its name and content type (the client hands it over whole: no streaming)."""
    ticket_ref = object_ref(ref, "ticket")
    try:
        download = support.support_tickets_attachment_download(
            actor=actor_for(request), ticket=ticket_ref, attachment_id=attachment_id
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PanelError as exc:
        messages.error(request, f"The attachment could not be downloaded: {exc.message}")
        return redirect(_ticket_url(ticket_ref))
    response = HttpResponse(
        download.content, content_type=download.content_type or "application/octet-stream"
    )
    name = download.filename or f"attachment-{attachment_id}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Content-Length"] = str(download.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- support plans: purchase, renew, cancel, undo --------------------------------------------------
def _plan_context(request: HttpRequest, account: str, label: str) -> dict[str, Any]:
    context: dict[str, Any] = {
        "account": account,
        "account_label": label,
        "back": _support_url(account, "plans"),
    }
    try:
        context["plans"] = _plans(request, account)
    except PanelError as exc:
        context["problem"] = problem_from(exc)
    context["active_plan"] = next((p for p in context.get("plans", []) if p.active), None)
    return context


def _order_confirmation(request: HttpRequest, *, action: Action, plan_key: str | None) -> HttpResponse:
    """Purchase and renew: the price for each period, the plan's name typed, then the order."""
    grant = None
    if request.method == "POST":
        try:
            grant = action_runs.authorise(request, action, action_runs.requested_account(request))
        except action_runs.Denied as denied:
            return denied.response
    account, label = _account_or_404(request)
    context = _plan_context(request, account, label)
    context["action"] = "renew" if plan_key is None else "purchase"
    if "problem" in context:
        return render(request, "web/support/plan_order.html", context)
    if plan_key is None:
        plan = context["active_plan"]
    else:
        plan = next((p for p in context["plans"] if p.key == plan_key), None)
        if plan is None:
            raise Http404("No such support plan.")
    context["plan"] = plan
    if plan is None:
        return render(request, "web/support/plan_order.html", context)
    try:  # beside the price, what the balance holds (the order may be charged from it at once)
        context["balance"] = billing.balance_get(actor=actor_for(request), account=account)
    except PanelError:
        context["balance"] = None
    kwargs = {
        "expected": plan.name,
        "label": "Type the plan's name to confirm",
        "cycle_labels": _cycle_labels(plan),
    }
    status = 200
    if request.method == "POST":
        assert grant is not None
        form = PlanOrderForm(request.POST, **kwargs)
        if form.is_valid():
            key = form.cleaned_data["request_key"]
            if not _first_submit(key):
                messages.info(request, "This was already submitted: see the orders in Billing.")
                return redirect(f"{reverse('web:billing')}?{urlencode({'account': account})}#orders")
            data = {"billing_cycle": form.input.billing_cycle}  # type: ignore[attr-defined]
            if plan_key is not None:
                data["plan"] = plan.key
            outcome = action_runs.submit(
                request, action, form, target=account, grant=grant, data=data, aliases={"plan": "confirm"}
            )
            if outcome is None:
                _forget_submit(key)
            else:
                order = outcome.value
                state = (order.status or "created").replace("_", " ")
                messages.success(request, f"Order #{order.id} for the {plan.name} support plan: {state}.")
                return redirect(reverse("web:order", kwargs={"ref": f"{account}:{order.id}"}))
        status = 422
    else:
        initial = {"billing_cycle": str(request.GET.get("billing_cycle") or 1)}
        form = PlanOrderForm(initial=initial, **kwargs)
    context["form"] = form
    return render(request, "web/support/plan_order.html", context, status=status)


@reaches("support_plans_list", "balance_get", "support_plans_purchase")
@team_permission_required("support_plans_purchase", writes=False)
def plan_purchase(request: HttpRequest, plan: str) -> HttpResponse:
    """Buy a support plan: the price per period (GET), then the order (POST)."""
    return _order_confirmation(request, action=billing_actions.PLAN_PURCHASE, plan_key=plan[:100])


@reaches("support_plans_list", "balance_get", "support_plans_renew")
@team_permission_required("support_plans_renew", writes=False)
def plan_renew(request: HttpRequest) -> HttpResponse:
    """Renew the active support plan: the price per period (GET), then the order (POST)."""
    return _order_confirmation(request, action=billing_actions.PLAN_RENEW, plan_key=None)


@reaches("support_plans_list", "support_plans_cancel")
@team_permission_required("support_plans_cancel", writes=False)
def plan_cancel(request: HttpRequest) -> HttpResponse:
    """Cancel the support plan, at the end of the paid period or now, behind its name typed."""
    grant = None
    if request.method == "POST":
        try:
            grant = action_runs.authorise(
                request, billing_actions.PLAN_CANCEL, action_runs.requested_account(request)
            )
        except action_runs.Denied as denied:
            return denied.response
    account, label = _account_or_404(request)
    context = _plan_context(request, account, label)
    plan = context.get("active_plan")
    if plan is None:
        return render(request, "web/support/plan_cancel.html", context)
    kwargs = {"expected": plan.name, "label": "Type the plan's name to confirm"}
    status = 200
    if request.method == "POST":
        assert grant is not None
        form = PlanCancelForm(request.POST, **kwargs)
        if form.is_valid():
            now = form.cleaned_data["when"] == "now"
            if action_runs.submit(
                request, billing_actions.PLAN_CANCEL, form, target=account, grant=grant, data={"now": now},
                aliases={"now": "when", "plan": "confirm"},
            ):  # fmt: skip
                done = "cancelled" if now else "cancelled at the end of its paid period"
                messages.success(request, f"The {plan.name} support plan is {done}.")
                return redirect(_support_url(account, "plans"))
        status = 422
    else:
        form = PlanCancelForm(**kwargs)
    context.update(plan=plan, form=form)
    return render(request, "web/support/plan_cancel.html", context, status=status)


@reaches("support_plans_undo_cancel")
@team_permission_required("support_plans_undo_cancel", writes=False)
@require_POST
def plan_undo_cancel(request: HttpRequest) -> HttpResponse:
    """Withdraw a pending cancellation of the support plan (nothing is paid or lost)."""
    try:
        grant = action_runs.authorise(
            request, billing_actions.PLAN_UNDO_CANCEL, action_runs.requested_account(request)
        )
    except action_runs.Denied as denied:
        return denied.response
    account, _label = _account_or_404(request)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        form = ReasonForm({})
        form.is_valid()
    if action_runs.submit(
        request, billing_actions.PLAN_UNDO_CANCEL, form, target=account, grant=grant, data={}
    ):
        messages.success(request, "The support plan's cancellation is withdrawn.")
    else:
        errors = "; ".join(str(e) for e in form.non_field_errors()) or "it was refused"
        messages.error(request, f"The cancellation was not withdrawn: {errors}")
    return redirect(_support_url(account, "plans"))


__all__ = [
    "attachment_download",
    "plain_text",
    "plan_cancel",
    "plan_purchase",
    "plan_renew",
    "plan_undo_cancel",
    "support_index",
    "ticket_create",
    "ticket_detail",
    "ticket_reply",
    "ticket_resolve",
]
