"""Approvals (four eyes): holding a batch, deciding on it, running it as the requester.

A held batch is ONE `ApprovalRequest` storing each `ActionRequest` as its JSON (secret fields stay
encrypted). Approvers see exactly that; on the last approval it runs through `_run_approved`, as
the requester, who is authorised again at that moment (`pipeline.run`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from panel.accounts.models import Membership
from panel.accounts.permissions import ActionDenied, elevated_role, require
from panel.accounts.roles import Role
from panel.actions import pipeline
from panel.actions.base import Risk, Target
from panel.actions.request import ActionRequest
from panel.audit.recorder import Outcome, actor_name_for
from panel.core.errors import InvalidInput, NotAllowed, PanelError
from panel.services.context import Actor, parse_server_ref
from panel.services.execution import known_hostname

from . import auditing, freezes, notify
from .models import ApprovalDecision, ApprovalRequest, ApprovalRule, ApprovalState, Decision
from .spend import cost_of

__all__ = ["Hold", "decide", "expire_due", "hold", "holds_for", "same_person", "withdraw"]

RISK_ORDER = {Risk.READ: 0, Risk.WRITE: 1, Risk.PAYING: 2, Risk.DESTRUCTIVE: 3}


def expiry_hours() -> int:
    return int(getattr(settings, "GUARDRAILS_APPROVAL_HOURS", 24))


@dataclass(frozen=True)
class Hold:
    """One reason a batch needs approval, and by whom."""

    why: str
    approvals_required: int
    approver_roles: tuple[str, ...]


def rule_matches(rule: ApprovalRule, request: ActionRequest) -> bool:
    action = request.action
    if rule.action_name and rule.action_name != action.name:
        return False
    if rule.risk and rule.risk != action.risk:
        return False
    if rule.min_amount is not None:
        if action.risk is not Risk.PAYING:
            return False
        cost = cost_of(request)
        # An unknown cost, or one in another currency, cannot be shown to be below the amount.
        if cost is not None and cost[1] == rule.currency and cost[0] < rule.min_amount:
            return False
    return True


def holds_for(requests: Sequence[ActionRequest]) -> list[Hold]:
    """Every enabled rule of the team that some request of the batch matches."""
    if not requests:
        return []
    team = requests[0].actor.team
    found = []
    for rule in ApprovalRule.objects.filter(team=team, enabled=True):
        if any(rule_matches(rule, request) for request in requests):
            found.append(Hold(rule.describe(), rule.approvals_required, tuple(rule.approver_roles)))
    return found


def target_label(request: ActionRequest) -> str:
    """A server by its hostname when the panel has seen it, else its reference."""
    if request.action.target is Target.SERVER:
        ref = parse_server_ref(request.target)
        return known_hostname(ref, request.actor.team) or request.target
    return request.target


def _summary(requests: Sequence[ActionRequest]) -> str:
    first = requests[0]
    text = f"{first.action.label} of {target_label(first)}"
    return text + (f" and {len(requests) - 1} more" if len(requests) > 1 else "")


def _total_cost(requests: Sequence[ActionRequest]) -> tuple[Decimal, str] | None:
    costs = [cost_of(r) for r in requests if r.action.risk is Risk.PAYING]
    if not costs or any(c is None for c in costs) or len({c[1] for c in costs if c}) != 1:
        return None
    return sum((c[0] for c in costs if c), Decimal("0")), costs[0][1]  # type: ignore[index]


def hold(requests: Sequence[ActionRequest], holds: Sequence[Hold]) -> ApprovalRequest:
    """Store the batch as one approval request (the strictest hold decides who approves)."""
    strictest = max(holds, key=lambda h: (h.approvals_required, -len(h.approver_roles)))
    first = requests[0]
    actor = first.actor
    user = actor.user
    cost = _total_cost(requests)
    now = timezone.now()
    with transaction.atomic():
        approval = ApprovalRequest.objects.create(
            team=actor.team,
            requester=actor.membership if isinstance(actor.membership, Membership) else None,
            requester_user=user,
            requester_name=actor_name_for(user) if user is not None else (actor.api_token_label or "?"),
            requests=[r.to_json() for r in requests],
            summary=_summary(requests)[:500],
            risk=max((r.action.risk for r in requests), key=lambda risk: RISK_ORDER.get(risk, 0)).value,
            cost_amount=cost[0] if cost else None,
            cost_currency=cost[1] if cost else "",
            why="\n".join(h.why for h in holds),
            approvals_required=strictest.approvals_required,
            approver_roles=list(strictest.approver_roles) or [Role.OWNER.value],
            created_at=now,
            expires_at=now + timedelta(hours=expiry_hours()),
        )
        url = approval.get_absolute_url()
        for request in requests:
            auditing.event(
                user=user,
                team=actor.team,
                name="approval.requested",
                target_type=request.action.target.value,
                target_id=request.target,
                target_label=target_label(request),
                params={"approval": approval.pk, "action": request.action.name, "why": approval.why},
                reason=request.reason,
                url=url,
                request=actor.request,
                api_token_label=actor.api_token_label,
            )
        notify.tell(
            [m.user for m in approvers(approval)],
            actor.team,
            f"{approval.requester_name} asks for approval: {approval.summary}.",
            url=url,
            event="approval.requested",
        )
    return approval


def approvers(approval: ApprovalRequest) -> list[Membership]:
    """Members who may decide: a named role (or elevated to one), the permission, another person."""
    found = []
    for membership in Membership.objects.filter(team=approval.team).select_related("user", "team"):
        if not _has_role(membership, approval.approver_roles):
            continue
        if approval.requester_user is not None and same_person(approval.requester_user, membership.user):
            continue
        found.append(membership)
    return found


def _has_role(membership: Membership, roles: Sequence[str]) -> bool:
    if membership.role in roles:
        return True
    elevated = elevated_role(membership)
    return elevated is not None and elevated in roles


def _email_identity(email: str) -> str:
    local, _, domain = (email or "").lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def same_person(a: Any, b: Any) -> bool:
    """One person, one say: the same account, or another account that is evidently the same person
    (the same mailbox behind a `+tag` or dots, or the same full name)."""
    if a is None or b is None:
        return False
    if a.pk == b.pk:
        return True
    if _email_identity(a.email) == _email_identity(b.email):
        return True
    name_a = re.sub(r"\s+", " ", (a.full_name or "").strip()).casefold()
    name_b = re.sub(r"\s+", " ", (b.full_name or "").strip()).casefold()
    return bool(name_a) and name_a == name_b


def _expire(approval: ApprovalRequest) -> None:
    approval.state = ApprovalState.EXPIRED
    approval.decided_at = timezone.now()
    approval.result = f"Nobody decided within {expiry_hours()} hours; nothing ran."
    approval.save(update_fields=["state", "decided_at", "result"])
    auditing.event(
        user=None,
        team=approval.team,
        name="approval.expired",
        outcome=Outcome.FAILED,
        target_type="approval",
        target_id=approval.pk,
        target_label=approval.summary,
        params={"approval": approval.pk},
        url=approval.get_absolute_url(),
    )
    notify.tell(
        [approval.requester_user],
        approval.team,
        f"Your request expired without a decision: {approval.summary}.",
        url=approval.get_absolute_url(),
        level="warning",
        event="approval.expired",
    )


def expire_due(team: Any = None) -> int:
    """Mark every pending request past its expiry (of `team`, or all) as expired (audited, the
    requester told)."""
    count = 0
    due = ApprovalRequest.objects.filter(state=ApprovalState.PENDING, expires_at__lte=timezone.now())
    if team is not None:
        due = due.filter(team=team)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            approval = (
                ApprovalRequest.objects.select_for_update().filter(pk=pk, state=ApprovalState.PENDING).first()
            )
            if approval is not None:
                _expire(approval)
                count += 1
    return count


def load(approval: ApprovalRequest) -> list[ActionRequest]:
    """The held requests, as stored (read again: the member must still be one)."""
    return [ActionRequest.from_json(text) for text in approval.requests]


def shown(approval: ApprovalRequest) -> list[dict[str, Any]]:
    """What approvers see of each held request: action, target, input (secrets masked), reason."""
    import json

    rows = []
    for text in approval.requests:
        raw = json.loads(text)
        data = {
            name: "•••••• (secret, encrypted)"
            if isinstance(value, dict) and set(value) == {"encrypted"}
            else value
            for name, value in dict(raw.get("input") or {}).items()
        }
        from panel.actions.registry import get

        action = get(raw.get("action", ""))
        rows.append(
            {
                "action": raw.get("action", ""),
                "label": action.label if action else raw.get("action", ""),
                "risk": action.risk.value if action else "",
                "target": raw.get("target", ""),
                "input": data,
                "reason": raw.get("reason", ""),
                "api_token": (raw.get("actor") or {}).get("api_token_label") or "",
            }
        )
    return rows


def _check_decider(approval: ApprovalRequest, membership: Membership) -> None:
    try:
        require(membership, "approvals.decide")
    except ActionDenied as exc:
        raise NotAllowed(str(exc)) from None
    if approval.requester_user is not None and same_person(approval.requester_user, membership.user):
        raise NotAllowed(
            "You asked for this yourself: another member must decide (no self-approval, "
            "and not through another account of yours).",
            code="self_approval",
        )
    if not _has_role(membership, approval.approver_roles):
        raise NotAllowed(
            f"This request needs approval by {approval.approver_roles_text}; your role is "
            f"{membership.get_role_display()}.",
            code="not_an_approver",
        )
    for decision in approval.decisions.select_related("user"):
        if decision.user is not None and same_person(decision.user, membership.user):
            raise NotAllowed(
                "You (or another account of yours) already decided on this request.", code="decided"
            )


def decide(
    approval: ApprovalRequest,
    membership: Membership,
    *,
    approve: bool,
    comment: str,
    stepped_up: bool,
    request: HttpRequest | None = None,
    api_token_label: str | None = None,
) -> ApprovalRequest:
    """Record an approval or a rejection; on the last approval, run the batch as the requester."""
    if approve and not stepped_up:
        raise NotAllowed(
            "Approving needs a second factor proven within the last few minutes: enter a code.",
            code="step_up_required",
        )
    comment = (comment or "").strip()[:2000]
    user = membership.user
    ready = False
    with transaction.atomic():
        approval = ApprovalRequest.objects.select_for_update().select_related("team").get(pk=approval.pk)
        if approval.state == ApprovalState.PENDING and timezone.now() >= approval.expires_at:
            _expire(approval)
            return approval
        if approval.state != ApprovalState.PENDING:
            raise InvalidInput(
                f"This request is already decided: {approval.get_state_display()}.", code="decided"
            )
        _check_decider(approval, membership)
        if approve:
            why = freezes.refusal(load_quietly(approval), audit_bypass=False)
            if why:
                raise InvalidInput(f"Not now: {why}", code="frozen")
        ApprovalDecision.objects.create(
            approval=approval,
            user=user,
            name=actor_name_for(user),
            role=elevated_role(membership)
            if membership.role not in approval.approver_roles
            else membership.role,
            decision=Decision.APPROVE if approve else Decision.REJECT,
            comment=comment,
        )
        url = approval.get_absolute_url()
        auditing.event(
            user=user,
            team=approval.team,
            name="approval.given" if approve else "approval.refused",
            target_type="approval",
            target_id=approval.pk,
            target_label=approval.summary,
            params={"approval": approval.pk, "comment": comment},
            reason=comment,
            url=url,
            request=request,
            api_token_label=api_token_label,
        )
        if not approve:
            approval.state = ApprovalState.REJECTED
            approval.decided_at = timezone.now()
            approval.result = f"Rejected by {actor_name_for(user)}" + (f": {comment}" if comment else ".")
            approval.save(update_fields=["state", "decided_at", "result"])
            notify.tell(
                [approval.requester_user],
                approval.team,
                f"Rejected: {approval.summary}. {comment}".strip(),
                url=url,
                level="warning",
                event="approval.rejected",
            )
            return approval
        if approval.decisions.filter(decision=Decision.APPROVE).count() >= approval.approvals_required:
            approval.state = ApprovalState.APPROVED  # claimed: nobody else runs it
            approval.decided_at = timezone.now()
            approval.save(update_fields=["state", "decided_at"])
            ready = True
    if ready:
        _execute(approval, request)
    return approval


def load_quietly(approval: ApprovalRequest) -> list[ActionRequest]:
    """The held requests that can still be read (for the freeze check before running)."""
    found = []
    for text in approval.requests:
        try:
            found.append(ActionRequest.from_json(text))
        except PanelError:
            continue
    return found


def _run_approved(requests: Sequence[ActionRequest]) -> list[pipeline.Outcome | PanelError]:
    """THE place an approved batch runs (kept small on purpose), one result per request.

    The policies already decided on this batch (the approval is their decision), so it runs with
    `checked=True`; the requester's role and server scope are still authorised again, now. One
    request: `pipeline.run`. A bulk action's batch (one action offered in bulk, on several
    servers): one parent operation through `panel.bulk.start_batch`, as an unheld batch would have
    run; a refusal of the batch is every request's. Anything else: one by one, a request that fails
    giving its error without stopping the others.
    """
    actions = {request.action.name for request in requests}
    if len(requests) > 1 and len(actions) == 1 and requests[0].action.bulk:
        from panel.bulk import start_batch

        try:
            parent = start_batch(requests, checked=True)
        except PanelError as exc:
            return [exc for _ in requests]
        return [pipeline.Outcome(operation=parent) for _ in requests]
    results: list[pipeline.Outcome | PanelError] = []
    for request in requests:
        try:
            results.append(pipeline.run(request, checked=True))
        except PanelError as exc:
            results.append(exc)
    return results


def _as_requester(
    request: ActionRequest, approval: ApprovalRequest, http: HttpRequest | None
) -> ActionRequest:
    """The stored request, run as its requester, carrying the approval in its reason (the audit
    trail of the execution names the approval) and the approving click's request id."""
    actor = Actor(request.actor.membership, request=http, api_token_label=request.actor.api_token_label)
    reason = f"{request.reason} (approval #{approval.pk})".strip()
    return dataclasses.replace(request, actor=actor, reason=reason[:1000])


def _execute(approval: ApprovalRequest, http: HttpRequest | None) -> None:
    url = approval.get_absolute_url()
    problems: list[str] = []
    try:
        requests = [_as_requester(r, approval, http) for r in load(approval)]
    except PanelError as exc:
        requests, problems = [], [exc.message]
    results = _run_approved(requests) if requests else []
    operations = []
    for request, result in zip(requests, results, strict=True):
        if isinstance(result, PanelError):
            who = approval.requester_name
            problems.append(
                f"{request.action.label} of {request.target}: {who} may no longer do this, "
                f"so it did not run. {result.message}"
                if isinstance(result, pipeline.Refused) or result.status == 404
                else f"{request.action.label} of {request.target}: {result.message}"
            )
        elif result.operation is not None and result.operation.pk not in operations:
            operations.append(result.operation.pk)  # a bulk batch: its one parent operation
    ran = len(requests) - sum(isinstance(r, PanelError) for r in results)
    with transaction.atomic():
        approval.operation_ids = operations
        approval.state = ApprovalState.APPROVED if ran else ApprovalState.FAILED  # some ran: approved
        approval.result = (
            " ".join(problems)
            if problems
            else f"Ran {ran} request{'s' if ran != 1 else ''} as {approval.requester_name}."
        )[:5000]
        approval.save(update_fields=["operation_ids", "state", "result"])
        auditing.event(
            user=approval.requester_user,
            team=approval.team,
            name="approval.executed",
            outcome=Outcome.OK if not problems else Outcome.FAILED,
            target_type="approval",
            target_id=approval.pk,
            target_label=approval.summary,
            params={"approval": approval.pk, "operations": operations},
            reason=approval.result,
            url=(reverse("operations:detail", kwargs={"pk": operations[0]}) if len(operations) == 1 else url),
            request=http,
        )
        notify.tell(
            [approval.requester_user],
            approval.team,
            f"Approved: {approval.summary}. {approval.result}",
            url=url,
            level="success" if not problems else "error",
            event="approval.approved",
        )


def withdraw(approval: ApprovalRequest, membership: Membership, request: HttpRequest | None = None) -> None:
    """The requester takes their request back while it waits."""
    with transaction.atomic():
        approval = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
        if approval.requester_user_id != membership.user_id:
            raise InvalidInput("Only the member who asked can withdraw this request.")
        if approval.state != ApprovalState.PENDING:
            raise InvalidInput(f"This request is already decided: {approval.get_state_display()}.")
        approval.state = ApprovalState.CANCELLED
        approval.decided_at = timezone.now()
        approval.result = "Withdrawn by the requester."
        approval.save(update_fields=["state", "decided_at", "result"])
        auditing.event(
            user=membership.user,
            team=approval.team,
            name="approval.withdrawn",
            target_type="approval",
            target_id=approval.pk,
            target_label=approval.summary,
            params={"approval": approval.pk},
            url=approval.get_absolute_url(),
            request=request,
        )
