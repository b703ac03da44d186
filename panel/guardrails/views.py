"""The guardrails' pages: approval requests (and deciding), rules, budgets, freezes, elevations.

Thin: every rule lives in the services (`approvals`, `config`, `freezes`, `elevations`); a
refusal there becomes the 403 page, a mistake a message on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from panel.accounts.decorators import render_denied, team_permission_required
from panel.accounts.models import Membership
from panel.accounts.permissions import can
from panel.core.errors import InvalidInput, NotAllowed, PanelError
from panel.services.execution import team_accounts

from . import approvals, config, elevations, freezes, step_up
from .forms import BreakGlassForm, BudgetForm, DecisionForm, ElevationForm, FreezeForm, RuleForm
from .models import ApprovalRequest, ApprovalRule, ApprovalState, Budget, Elevation, ElevationState, Freeze
from .spend import budget_states


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _errors(form: Any) -> str:
    def label(name: str) -> str:
        field = form.fields.get(name)
        return f"{field.label or name.replace('_', ' ').capitalize()}: " if field is not None else ""

    return " ".join(f"{label(name)}{' '.join(errs)}" for name, errs in form.errors.items())


def _service(request: HttpRequest, call: Callable[[], Any], success: str, back: str) -> HttpResponse:
    try:
        call()
    except NotAllowed as exc:
        return render_denied(request, exc)
    except PanelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(back)


# -- approval requests ------------------------------------------------------------------------------
@require_GET
@team_permission_required("guardrails.view")
def index(request: HttpRequest) -> HttpResponse:
    """Approval requests: those waiting for the member first, then the team's latest."""
    membership = _membership(request)
    team = membership.team
    approvals.expire_due(team)
    pending = list(ApprovalRequest.objects.filter(team=team, state=ApprovalState.PENDING))
    mine_to_decide = [
        a
        for a in pending
        if any(m.pk == membership.pk for m in approvals.approvers(a))
        and not a.decisions.filter(user=membership.user).exists()
    ]
    state = request.GET.get("state", "")
    rows = ApprovalRequest.objects.filter(team=team).select_related("requester_user")
    if state in ApprovalState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "guardrails/index.html",
        {
            "to_decide": mine_to_decide,
            "page": page,
            "state": state,
            "states": ApprovalState.choices,
            "active_freezes": freezes.active_windows(team),
            "elevated": elevations.active(team),
            "budgets": budget_states(team),
        },
    )


@require_GET
@team_permission_required("guardrails.view")
def approval(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    held = get_object_or_404(ApprovalRequest.objects.select_related("team"), pk=pk, team=membership.team)
    if held.state == ApprovalState.PENDING and not held.is_open:
        approvals.expire_due(held.team)
        held.refresh_from_db()
    may_decide = (
        held.is_open
        and any(m.pk == membership.pk for m in approvals.approvers(held))
        and can(membership, "approvals.decide")
        and not held.decisions.filter(user=membership.user).exists()
    )
    return render(
        request,
        "guardrails/approval.html",
        {
            "held": held,
            "rows": approvals.shown(held),
            "decisions": held.decisions.all(),
            "may_decide": may_decide,
            "is_requester": held.requester_user_id == request.user.pk,
            "needs_code": not step_up.fresh(request),
            "has_factor": step_up.has_factor(request.user),
            "form": DecisionForm(),
            "operations": held.operation_ids,
        },
    )


@require_POST
@team_permission_required("approvals.decide")
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    held = get_object_or_404(ApprovalRequest, pk=pk, team=membership.team)
    back = reverse("guardrails:approval", kwargs={"pk": held.pk})
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(back)
    approve = form.cleaned_data["decision"] == "approve"
    stepped_up = step_up.fresh(request)
    if not stepped_up and approve:
        if not step_up.has_factor(request.user):
            messages.error(request, step_up.NO_FACTOR)
            return redirect(back)
        code = form.cleaned_data["code"]
        if not code or not step_up.prove(request, code):
            messages.error(request, "Approving needs a second-factor code: that one was missing or wrong.")
            return redirect(back)
        stepped_up = True
    try:
        held = approvals.decide(
            held,
            membership,
            approve=approve,
            comment=form.cleaned_data["comment"],
            stepped_up=stepped_up or not approve,
            request=request,
        )
    except NotAllowed as exc:
        return render_denied(request, exc)
    except PanelError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if held.state == ApprovalState.APPROVED and len(held.operation_ids) == 1:
        messages.success(
            request, f"Approved: {held.summary}. It runs as {held.requester_name}; this page follows it."
        )
        return redirect(reverse("operations:detail", kwargs={"pk": held.operation_ids[0]}))
    level = (
        messages.success
        if held.state in (ApprovalState.APPROVED, ApprovalState.PENDING)
        else messages.warning
    )
    level(request, f"{held.get_state_display()}: {held.summary}. {held.result}".strip())
    return redirect(back)


@require_POST
@team_permission_required("guardrails.view")
def approval_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    held = get_object_or_404(ApprovalRequest, pk=pk, team=membership.team)
    return _service(
        request,
        lambda: approvals.withdraw(held, membership, request),
        "Request withdrawn.",
        reverse("guardrails:approval", kwargs={"pk": held.pk}),
    )


# -- rules --------------------------------------------------------------------------------------------
@team_permission_required("guardrails.view", writes=False)
def rules(request: HttpRequest) -> HttpResponse:
    """GET: the rules; POST (Owner): add one."""
    membership = _membership(request)
    form = RuleForm()
    status = 200
    if request.method == "POST":
        if not can(membership, "guardrails.manage"):
            return render_denied(request, NotAllowed(_denied_text(membership, "guardrails.manage")))
        form = RuleForm(request.POST)
        if form.is_valid():
            config.save(membership, form.save(commit=False), before=None, request=request)
            messages.success(request, "Rule added.")
            return redirect("guardrails:rules")
        status = 422
    return render(
        request,
        "guardrails/rules.html",
        {
            "rules": ApprovalRule.objects.filter(team=membership.team),
            "form": form,
            "may_manage": can(membership, "guardrails.manage"),
        },
        status=status,
    )


def _denied_text(membership: Membership, action: str) -> str:
    from panel.accounts.permissions import ActionDenied, require

    try:
        require(membership, action)
    except ActionDenied as exc:
        return str(exc)
    return "Not allowed."


@require_POST
@team_permission_required("guardrails.manage")
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    rule = get_object_or_404(ApprovalRule, pk=pk, team=membership.team)
    before = rule.snapshot()
    rule.enabled = not rule.enabled
    return _service(
        request,
        lambda: config.save(membership, rule, before=before, request=request),
        f"Rule {'enabled' if rule.enabled else 'disabled'}.",
        reverse("guardrails:rules"),
    )


@require_POST
@team_permission_required("guardrails.manage")
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    rule = get_object_or_404(ApprovalRule, pk=pk, team=membership.team)
    return _service(
        request,
        lambda: config.delete(membership, rule, request=request),
        "Rule deleted.",
        reverse("guardrails:rules"),
    )


# -- budgets ------------------------------------------------------------------------------------------
def _accounts(membership: Membership) -> list[tuple[str, str]]:
    return sorted(team_accounts(membership.team).items())


@team_permission_required("guardrails.view", writes=False)
def budgets(request: HttpRequest) -> HttpResponse:
    """GET: budgets with this month's use; POST (Owner): set the budget of the team or an account."""
    membership = _membership(request)
    accounts = _accounts(membership)
    form = BudgetForm(accounts=accounts)
    status = 200
    if request.method == "POST":
        if not can(membership, "guardrails.manage"):
            return render_denied(request, NotAllowed(_denied_text(membership, "guardrails.manage")))
        account = request.POST.get("account_id", "")
        existing = Budget.objects.filter(team=membership.team, account_id=account).first()
        form = BudgetForm(request.POST, instance=existing, accounts=accounts)
        if form.is_valid():
            before = existing.snapshot() if existing else None
            config.save(membership, form.save(commit=False), before=before, request=request)
            messages.success(request, "Budget saved.")
            return redirect("guardrails:budgets")
        status = 422
    return render(
        request,
        "guardrails/budgets.html",
        {
            "states": budget_states(membership.team),
            "form": form,
            "may_manage": can(membership, "guardrails.manage"),
        },
        status=status,
    )


@require_POST
@team_permission_required("guardrails.manage")
def budget_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    budget = get_object_or_404(Budget, pk=pk, team=membership.team)
    return _service(
        request,
        lambda: config.delete(membership, budget, request=request),
        "Budget removed.",
        reverse("guardrails:budgets"),
    )


# -- freezes ------------------------------------------------------------------------------------------
@team_permission_required("guardrails.view", writes=False)
def freeze_list(request: HttpRequest) -> HttpResponse:
    """GET: the freezes (the ones in force first); POST (Owner): add one."""
    membership = _membership(request)
    zone = getattr(request.user, "time_zone", "") or "UTC"
    form = FreezeForm(initial={"time_zone": zone})
    status = 200
    if request.method == "POST":
        if not can(membership, "guardrails.manage"):
            return render_denied(request, NotAllowed(_denied_text(membership, "guardrails.manage")))
        form = FreezeForm(request.POST)
        if form.is_valid():
            config.save(membership, form.save(commit=False), before=None, request=request)
            messages.success(request, "Freeze added.")
            return redirect("guardrails:freezes")
        status = 422
    active = {f.pk: (start, end) for f, start, end in freezes.active_windows(membership.team)}
    rows = [
        {"freeze": f, "window": active.get(f.pk), "glass": freezes.glass_of(f) if f.pk in active else None}
        for f in Freeze.objects.filter(team=membership.team)
    ]
    return render(
        request,
        "guardrails/freezes.html",
        {
            "rows": rows,
            "form": form,
            "glass_form": BreakGlassForm(),
            "may_manage": can(membership, "guardrails.manage"),
            "may_break": can(membership, "freezes.break_glass"),
        },
        status=status,
    )


@require_POST
@team_permission_required("guardrails.manage")
def freeze_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    freeze = get_object_or_404(Freeze, pk=pk, team=membership.team)
    before = freeze.snapshot()
    freeze.enabled = not freeze.enabled
    return _service(
        request,
        lambda: config.save(membership, freeze, before=before, request=request),
        f"Freeze {'enabled' if freeze.enabled else 'disabled'}.",
        reverse("guardrails:freezes"),
    )


@require_POST
@team_permission_required("guardrails.manage")
def freeze_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    freeze = get_object_or_404(Freeze, pk=pk, team=membership.team)
    return _service(
        request,
        lambda: config.delete(membership, freeze, request=request),
        "Freeze deleted.",
        reverse("guardrails:freezes"),
    )


@require_POST
@team_permission_required("freezes.break_glass")
def freeze_break(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    freeze = get_object_or_404(Freeze, pk=pk, team=membership.team)
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("guardrails:freezes")
    return _service(
        request,
        lambda: freezes.break_glass(
            membership,
            freeze,
            reason=form.cleaned_data["reason"],
            minutes=form.cleaned_data["minutes"],
            request=request,
        ),
        f"Glass broken: “{freeze.name}” is lifted for the team for now. Owners and admins were told.",
        reverse("guardrails:freezes"),
    )


# -- elevations ---------------------------------------------------------------------------------------
@team_permission_required("guardrails.view", writes=False)
def elevation_list(request: HttpRequest) -> HttpResponse:
    """GET: who is elevated until when, and what is asked; POST: ask for an elevation."""
    membership = _membership(request)
    form = ElevationForm()
    status = 200
    if request.method == "POST":
        form = ElevationForm(request.POST)
        if form.is_valid():
            try:
                elevations.ask(membership, request=request, **form.cleaned_data)
            except NotAllowed as exc:
                return render_denied(request, exc)
            except InvalidInput as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Asked: an owner or admin decides.")
                return redirect("guardrails:elevations")
        status = 422
    team = membership.team
    return render(
        request,
        "guardrails/elevations.html",
        {
            "active": elevations.active(team),
            "asked": Elevation.objects.filter(team=team, state=ElevationState.REQUESTED).select_related(
                "membership__user"
            ),
            "past": Elevation.objects.filter(team=team)
            .filter(~Q(state=ElevationState.REQUESTED))
            .select_related("membership__user", "decided_by")[:30],
            "form": form,
            "may_grant": can(membership, "elevations.grant"),
            "membership": membership,
        },
        status=status,
    )


@require_POST
@team_permission_required("elevations.grant")
def elevation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    elevation = get_object_or_404(Elevation, pk=pk, team=membership.team)
    grant = request.POST.get("decision") == "grant"
    return _service(
        request,
        lambda: elevations.decide(membership, elevation, grant=grant, request=request),
        "Elevation granted." if grant else "Elevation refused.",
        reverse("guardrails:elevations"),
    )


@require_POST
@team_permission_required("guardrails.view")
def elevation_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    elevation = get_object_or_404(Elevation, pk=pk, team=membership.team)
    return _service(
        request,
        lambda: elevations.end(membership, elevation, request=request),
        "Elevation ended.",
        reverse("guardrails:elevations"),
    )
