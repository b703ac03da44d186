"""Starting and cancelling long operations: the only way the web and API front doors create one.

`start()` authorizes with the same permission table as the services, validates the input through
the kind, refuses a second writer on the same server (`Busy`, naming the running operation), stores the
row (secrets encrypted), and enqueues the task AFTER the transaction commits: a request that rolls
back never leaves a task behind, and the broker only ever sees the operation id.

The committed row is the promise. If the broker refuses the task (Redis stopped, a read-only
broker folder), the request still succeeds: the operation stays "queued, waiting for a worker",
due for the dispatcher (`dispatch.py`), which sends it as soon as the broker takes messages again.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from panel.accounts.permissions import ActionDenied, action_label, require
from panel.audit import recorder as audit
from panel.audit.recorder import actor_name_for
from panel.core.errors import Busy, InvalidInput, NotAllowed, NotFoundError
from panel.services.context import ActorLike, as_actor
from panel.services.execution import is_preauthorised
from panel.vault import crypto

from .kinds.registry import KINDS
from .models import ACTIVE_STATES, Operation, OperationLock, State, StepLog

__all__ = ["cancel", "enqueue", "start"]


def _first_send(op_id: int, task_id: str) -> None:
    from . import dispatch

    if dispatch.send(op_id, task_id):
        # Sent: the dispatcher leaves it alone unless no worker claims it for the stuck time.
        Operation.objects.filter(pk=op_id, task_id=task_id, lease="", state=State.QUEUED).update(
            wake_at=dispatch.resend_at()
        )
        return
    StepLog.objects.create(
        operation_id=op_id,
        level=StepLog.Level.WARNING,
        message="The task queue did not take it; it is sent as soon as the queue answers again.",
    )


def enqueue(op: Operation) -> None:
    """Send the operation's task once the current transaction commits (at once outside one).

    The row is due (`wake_at` now) until the broker took the task, so a broker that refuses it
    loses nothing: the dispatcher sends it later.
    """
    task_id = uuid.uuid4().hex
    now = timezone.now()
    Operation.objects.filter(pk=op.pk).update(task_id=task_id, wake_at=now)
    op.task_id, op.wake_at = task_id, now
    transaction.on_commit(lambda: _first_send(op.pk, task_id))


def _busy(key: str) -> Busy:
    lock = OperationLock.objects.filter(key=key).select_related("operation").first()
    what = key.split(":", 1)[0].replace("_", " ")
    if lock is None:
        return Busy(f"This {what} is busy with another operation. Try again in a moment.")
    holder = lock.operation
    return Busy(
        f"This {what} is busy: “{holder.label}” (operation {holder.pk}) is running on it. "
        "Try again when it ends.",
        operation_id=holder.pk,
    )


def start(
    *,
    actor: ActorLike,
    kind: str,
    params: dict[str, Any] | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
    reason: str = "",
) -> Operation:
    """Create and enqueue one operation; raises NotAllowed, NotFoundError, InvalidInput or Busy.

    `reason` (what the member typed) goes with every audit event of the operation's VPSBG calls.
    """
    definition = KINDS.get(kind)
    if definition is None:
        raise InvalidInput(f"Unknown kind of operation “{str(kind)[:60]}”.")
    if not isinstance(params, dict | type(None)):
        raise InvalidInput("The parameters of an operation must be a mapping.")
    who = as_actor(actor, request=request)
    try:
        if not is_preauthorised(definition.action):  # else the actions pipeline asked already
            require(who.membership, definition.action)
    except ActionDenied as exc:
        raise NotAllowed(str(exc)) from None
    prepared = definition.prepare(who, dict(params or {}))
    if prepared.target_type == "server":
        account, _, server_id = prepared.target_id.rpartition(":")
        if not who.may_see_server(account, server_id):
            raise NotFoundError(f"No such server: {prepared.target_id}.")
    elif who.is_server_limited:
        raise NotAllowed(
            "Your access is limited to chosen servers, so you may not "
            f"{action_label(definition.action)} here."
        )
    for key in prepared.locks:
        if key.startswith("server:"):
            account, _, server_id = key.removeprefix("server:").rpartition(":")
            if not who.may_see_server(account, server_id):
                raise NotFoundError(f"No such server: {account}:{server_id}.")
    key = (idempotency_key or "").strip()[:100]
    why = str(reason or "").strip()[:1000]
    data: dict[str, Any] = {"reason": why} if why else {}
    if who.api_token_label:  # calls made by the worker are named in the audit log as the request was
        data["api_token_label"] = who.api_token_label
    user = who.user
    try:
        with transaction.atomic():
            if key:
                existing = Operation.objects.filter(team=who.team, idempotency_key=key).first()
                if existing is not None:
                    if existing.kind != kind:
                        raise InvalidInput("This request key was already used for another operation.")
                    return existing
            op = Operation.objects.create(
                kind=kind,
                team=who.team,
                actor=user if getattr(user, "pk", None) else None,
                actor_name=actor_name_for(user) if user is not None else (who.api_token_label or ""),
                account_id=prepared.account_id,
                target_type=prepared.target_type,
                target_id=prepared.target_id,
                target_label=prepared.target_label,
                params=prepared.params,
                secret=crypto.encrypt(json.dumps(prepared.secret)) if prepared.secret else "",
                idempotency_key=key,
                step="Queued, waiting for a worker",
                data=data,
            )
            for lock in prepared.locks:
                try:
                    with transaction.atomic():
                        OperationLock.objects.create(key=lock, operation=op)
                except IntegrityError:
                    raise _busy(lock) from None
            requested = f"Requested by {op.actor_name or 'the system'}."
            StepLog.objects.create(operation=op, message=f"{requested} Reason: {why}" if why else requested)
            enqueue(op)
    except IntegrityError:
        if key:  # the same request key raced us: answer with the operation that won
            existing = Operation.objects.filter(team=who.team, idempotency_key=key).first()
            if existing is not None:
                return existing
        raise
    return op


def cancel(*, actor: ActorLike, operation: Operation, request: HttpRequest | None = None) -> Operation:
    """Cancel before the paying or destructive step; after it, explain why not (InvalidInput)."""
    from .runner import end

    who = as_actor(actor, request=request)
    if operation.team_id != who.team.pk:
        raise NotFoundError("No such operation.")
    definition = KINDS.get(operation.kind)
    if definition is None:
        raise InvalidInput("This operation cannot be cancelled.")
    try:
        require(who.membership, definition.action)
    except ActionDenied as exc:
        raise NotAllowed(str(exc)) from None
    operation.refresh_from_db()
    if operation.state not in ACTIVE_STATES:
        raise InvalidInput(f"Operation {operation.pk} has already ended ({operation.get_state_display()}).")
    if not operation.cancellable:
        raise InvalidInput(
            f"Operation {operation.pk} can no longer be cancelled: VPSBG was already asked to act. "
            "It will finish (or fail) on its own."
        )
    with transaction.atomic():
        Operation.objects.filter(pk=operation.pk).update(cancel_requested=True)
        StepLog.objects.create(
            operation=operation, message=f"Cancel requested by {actor_name_for(who.user)}."
        )
        audit.record(
            actor=who.user,
            team=who.team,
            operation_id="operations.cancel",
            target_type="operation",
            target_id=str(operation.pk),
            target_label=f"{operation.label} of {operation.target_label}",
            outcome=audit.Outcome.OK,
            request=request,
            operation_url=operation.get_absolute_url(),
        )
    if operation.state == State.QUEUED:
        # Not picked up yet: end it now; a late delivery finds it ended and does nothing.
        end(operation, State.CANCELLED, error="Cancelled before it started.")
    else:  # parked: look at the cancel on the next dispatch, not after the poll interval
        Operation.objects.filter(pk=operation.pk, lease="", wake_at__isnull=False).update(
            wake_at=timezone.now()
        )
    operation.refresh_from_db()
    return operation
