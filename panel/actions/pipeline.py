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

from panel.accounts.permissions import LIMITED_MAY_WRITE, ActionDenied, action_label, require
from panel.audit import recorder as audit
from panel.core.errors import InvalidInput, NotAllowed, NotFoundError, PanelError
from panel.operations import services as operations
from panel.services import execution
from panel.services.context import Actor, as_actor, parse_ref, parse_server_ref
from panel.services.tokens import NoUsableToken

from .base import Action, Mode, Risk, Target
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


def _account_target(action: Action, who: Actor, target: Any) -> str:
    """The target of an ACCOUNT action as text: an object of one of the team's accounts, or the
    account itself (none given: the team's only one). Anything else is a `NotFoundError`."""
    accounts = execution.team_accounts(who.team)
    if action.subject:
        ref = parse_ref(target, action.subject)
        if ref.account_id not in accounts:
            raise NotFoundError(f"No such {action.subject}: {str(ref)[:120]}.")
        return str(ref)
    text = str(target or "").strip()
    if not text:
        # One: that one. None or several: `submit` says so once the input is known to be valid.
        return next(iter(accounts)) if len(accounts) == 1 else ""
    if text not in accounts:
        raise NotFoundError(f"This team has no VPSBG account “{text[:120]}”.")
    return text


def authorise(action: Action, actor: Any, target: Any) -> Grant:
    """The role table, then the member's scope: `Refused` or `NotFoundError`, both audited.

    A server outside the member's scope, or of an account the team holds no token for, looks
    exactly like a missing one (404, never 403); so does an account (or an object of an account)
    the team holds no token for. The grant carries the target as the request will name it (an
    ACCOUNT action given no account: the team's only one).
    """
    who = as_actor(actor)
    text = str(target or "").strip()[:400]
    try:
        require(who.membership, action.name)  # first: a refused role learns nothing more
    except ActionDenied as exc:
        _refused(action, who, text, str(exc))
        raise Refused(str(exc)) from None
    if action.target is Target.SERVER:
        text = str(parse_server_ref(target))
    elif action.target is Target.SNAPSHOT:
        text = str(parse_ref(target, "snapshot"))
    elif action.subject:
        text = str(parse_ref(target, action.subject))
    if action.target is Target.SERVER:
        ref = parse_server_ref(text)
        if ref.account_id not in execution.team_accounts(who.team) or not who.may_see_server(
            ref.account_id, ref.id
        ):
            missing = f"No such server: {text}."
            _refused(action, who, text, missing)  # an attempt on someone else's server is kept
            raise NotFoundError(missing)
    elif action.target is Target.BACKUP:
        if text.rpartition(":")[0] not in execution.team_accounts(who.team):
            missing = f"No such {action.target.value}: {text[:120]}."
            _refused(action, who, text, missing)
            raise NotFoundError(missing)
    elif action.target is Target.ACCOUNT:
        if who.is_server_limited and action.risk is not Risk.READ and action.name not in LIMITED_MAY_WRITE:
            # An order, an IP, a key... may be about a server outside the member's scope.
            limited = (
                f"Your access to team {who.team} is limited to chosen servers, so you may not "
                f"{action_label(action.name)}: it is not about one of your servers. Ask an owner or admin."
            )
            _refused(action, who, text, limited)
            raise Refused(limited)
        try:
            text = _account_target(action, who, text)
        except NotFoundError as exc:
            _refused(action, who, text, exc.message)
            raise
    if action.target is Target.SNAPSHOT and parse_ref(text, "snapshot").account_id not in (
        execution.team_accounts(who.team)
    ):
        missing = f"No such snapshot: {text}."
        _refused(action, who, text, missing)
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
        action, actor=actor, target=grant.target, data=data, reason=reason, idempotency_key=idempotency_key
    )
    if action.target is Target.ACCOUNT and not request.target:
        accounts = execution.team_accounts(request.actor.team)
        if not accounts:
            raise NoUsableToken(
                f"Team {request.actor.team} has no checked VPSBG token yet. "
                "An owner or admin can add one on the Tokens page."
            )
        raise InvalidInput(
            "This team has several VPSBG accounts: choose one.",
            fields={"account": [f"Choose one of: {', '.join(sorted(accounts.values()))}."]},
        )
    return run(request, grant=grant)
