"""The one way an action runs, for the web, the API, Celery and management commands alike:

    authorise (role, server scope) → policies → execute now, or start an operation → audit

`submit` is the front doors' entry: it authorises first (a refused caller learns nothing from
input validation, as before), then makes the `ActionRequest` (which validates the input) and runs
it. `run` runs a request made earlier (an approval, a schedule): it authorises again, unless the
caller hands the `Grant` it got for this very request a moment ago. While the action executes,
the services and `operations.start` are told it is authorised (`execution.preauthorised`), so the
role is checked once per execution. Refusals are audited here; the executor (the service, or the
operation's steps) audits what VPSBG was asked and answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from panel.accounts.permissions import ActionDenied, require
from panel.audit import recorder as audit
from panel.core.errors import NotAllowed, NotFoundError, PanelError
from panel.operations import services as operations
from panel.services import execution
from panel.services.context import Actor, as_actor, parse_server_ref

from .base import Action, Mode, Target
from .request import ActionRequest

__all__ = [
    "AFTER_RUN",
    "POLICIES",
    "Grant",
    "Outcome",
    "Pending",
    "Policy",
    "Refused",
    "authorise",
    "check",
    "run",
    "submit",
]


class Refused(NotAllowed):
    """The pipeline refused the request (role or policy); already audited."""


class Pending(PanelError):
    """A policy held the request(s) for approval: nothing ran yet; `held` is what approvers see.

    Not an error for the person asking (the API answers 202 with the held request), but it stops
    the pipeline the same way a refusal does, so it is raised rather than returned.
    """

    status = 202
    code = "approval_required"

    def __init__(self, message: str, *, held: Any = None) -> None:
        super().__init__(message)
        self.held = held

    def as_dict(self) -> dict[str, object]:
        """The API body: the held object's own (`api_body()`), else the message."""
        body = getattr(self.held, "api_body", None)
        if callable(body):
            return body()
        return {"error": {"code": self.code, "message": self.message, "fields": {}}}

    @property
    def location(self) -> str:
        """Where a person follows the held request (its page), '' when nothing was held."""
        url = getattr(self.held, "get_absolute_url", None)
        return url() if callable(url) else ""

    @property
    def api_location(self) -> str:
        url = getattr(self.held, "api_url", None)
        return url() if callable(url) else ""


Policy = Callable[[Sequence[ActionRequest]], str | None]
# A policy sees the whole batch at once: one request for a click, every server's request for a
# bulk action or a schedule's run, so a guardrail decides once per batch. It refuses by returning
# why (a frozen window, a budget passed), holds the batch for approval by raising `Pending`, or
# lets it pass by returning None.
POLICIES: list[Policy] = []

AfterRun = Callable[[ActionRequest, "Outcome"], None]
# Told of every request that executed (its outcome: the value, or the operation started), in the
# caller's process: spend limits count what the panel committed to pay (`panel.guardrails`).
AFTER_RUN: list[AfterRun] = []


def check(requests: Sequence[ActionRequest]) -> None:
    """Every policy, once for the batch: `Refused` (audited per request) or `Pending`, else pass."""
    for policy in POLICIES:
        refusal = policy(requests)
        if refusal:
            for request in requests:
                _refused(request.action, request.actor, request.target, refusal)
            raise Refused(refusal, code="policy_refused")


@dataclass(frozen=True)
class Grant:
    """Proof that `authorise` let this member do this action on this target just now."""

    action: str
    membership: int
    target: str


@dataclass(frozen=True)
class Outcome:
    """What running an action produced: a NOW action's value, or the operation it started."""

    value: Any = None
    operation: Any = None


def _refused(action: Action, actor: Actor, target: str, reason: str) -> None:
    request = actor.request
    audit.record(
        actor=actor.user,
        api_token_label=actor.api_token_label,
        team=actor.team,
        operation_id=action.name,
        target_type=action.target.value,
        target_id=target[:128],
        target_label=target[:255],
        params={"method": request.method, "path": request.path} if request is not None else {},
        outcome=audit.Outcome.DENIED,
        reason=reason,
        request=request,
    )


def authorise(action: Action, actor: Any, target: Any) -> Grant:
    """The role table, then the member's server scope: `Refused` or `NotFoundError`, both audited.

    A server outside the member's scope, or of an account the team holds no token for, looks
    exactly like a missing one (404, never 403).
    """
    who = as_actor(actor)
    text = str(parse_server_ref(target)) if action.target is Target.SERVER else str(target or "")
    try:
        require(who.membership, action.name)
    except ActionDenied as exc:
        _refused(action, who, text, str(exc))
        raise Refused(str(exc)) from None
    if action.target is Target.SERVER:
        ref = parse_server_ref(text)
        if ref.account_id not in execution.team_accounts(who.team) or not who.may_see_server(
            ref.account_id, ref.id
        ):
            missing = f"No such server: {text}."
            _refused(action, who, text, missing)  # an attempt on someone else's server is kept
            raise NotFoundError(missing)
    return Grant(action.name, who.membership.pk, text)


def run(request: ActionRequest, *, grant: Grant | None = None, checked: bool = False) -> Outcome:
    """Run a validated request: authorise (unless `grant` is for it), policies, execute.

    `checked` says the policies already decided on the batch this request belongs to (a bulk
    action, an approved request): they are not asked again per request. The role and scope are.
    """
    action, actor = request.action, request.actor
    if grant != Grant(action.name, actor.membership.pk, request.target):
        authorise(action, actor, request.target)
    if not checked:
        check([request])
    with execution.preauthorised(action.name):
        if action.mode is Mode.NOW:
            assert action.perform is not None
            outcome = Outcome(value=action.perform(actor, request.target, request.input, request.reason))
        else:
            assert action.kind is not None and action.params is not None
            outcome = Outcome(
                operation=operations.start(
                    actor=actor,
                    kind=action.kind,
                    params=action.params(request.target, request.input),
                    idempotency_key=request.idempotency_key,
                    request=actor.request,
                    reason=request.reason,
                )
            )
    for hook in AFTER_RUN:
        hook(request, outcome)
    return outcome


def submit(
    action: Action,
    *,
    actor: Any,
    target: Any,
    data: dict[str, Any] | None = None,
    reason: str = "",
    idempotency_key: str = "",
    grant: Grant | None = None,
) -> Outcome:
    """Authorise (or use `grant`), validate into an `ActionRequest`, and run it."""
    grant = grant or authorise(action, actor, target)
    request = ActionRequest.create(
        action, actor=actor, target=target, data=data, reason=reason, idempotency_key=idempotency_key
    )
    return run(request, grant=grant)
