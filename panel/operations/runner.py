"""The resumable step engine that drives one `Operation` to an end state.

A kind (`panel/operations/kinds/`) is a list of steps. Each step first READS VPSBG's state and
decides; it answers `DONE` (go on), `WAIT` (VPSBG is still working: poll again) or raises
`StepFailed`. Progress survives a dead worker because everything a step learns lives in
`Operation.data` (saved after every step and poll) and the index of the next step is stored too:
a redelivered task starts at the step where the last one stopped.

A delivery never sleeps: on WAIT (or a transient error's backoff) it PARKS the operation: state
waiting, lease released, `wake_at` set to when to look again, and the task returns, so a worker
thread is held only while VPSBG is being called. `panel.operations.dispatch` sends the next task
when `wake_at` comes (and resumes the operations of dead workers). Each task carries the
`task_id` the dispatcher recorded on the row; any other message for the operation (a late
redelivery, a duplicate) is stale and does nothing.

Paying and destructive calls go through `Context.once()` / `Context.pay()`, which write a
`StepMark` / `PaymentAttempt` row (committed) BEFORE the call. A later delivery that finds the row
asks the step's `verify` what VPSBG did instead of calling again.

What makes an operation end, always:
- every step has a deadline (`OPERATIONS_STEP_DEADLINE` or the step's own): past it, failed with
  what VPSBG has not finished and what to check;
- transient upstream errors (unavailable, 5xx, 429 with Retry-After, 423 busy) are retried with
  backoff at most `OPERATIONS_MAX_RETRIES` times per step, then failed with the last message;
- a delivery claims the operation by a lease (refreshed by a heartbeat); more than
  `OPERATIONS_MAX_ATTEMPTS` deliveries that took over from a dead one fail it instead of looping;
- one delivery runs at most `OPERATIONS_LEASE_SECONDS` (the task's soft time limit): past it, the
  operation parks and a new delivery goes on where it stopped;
- `panel.operations.sweeper` resumes (or fails) operations whose heartbeat stopped.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from panel.accounts.models import Membership
from panel.accounts.permissions import ActionDenied, require
from panel.core import metrics
from panel.core.errors import (
    Busy,
    InvalidInput,
    NotAllowed,
    NotFoundError,
    PanelError,
    RateLimitedError,
    UpstreamUnavailable,
)
from panel.services import execution
from panel.services.context import Actor
from panel.vault import crypto

from .models import END_STATES, Operation, PaymentAttempt, State, StepLog, StepMark

__all__ = [
    "DONE",
    "WAIT",
    "Context",
    "Step",
    "StepFailed",
    "run",
]

logger = logging.getLogger(__name__)

DONE = "done"
WAIT = "wait"
TRANSIENT: tuple[type[PanelError], ...] = (UpstreamUnavailable, RateLimitedError, Busy)
# Answers proving VPSBG refused a write without doing anything (not a timeout or a 5xx, whose
# effect is unknown).
REFUSED: tuple[type[PanelError], ...] = (RateLimitedError, Busy, InvalidInput, NotAllowed, NotFoundError)


class StepFailed(Exception):
    """The operation cannot go on; `message` is shown to the user as the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Cancelled(Exception):
    """The user cancelled before the step that cannot be undone."""


class LeaseLost(Exception):
    """Another delivery (or the sweeper) took the operation over: stop without touching it."""


@dataclass(frozen=True)
class Step:
    """One step: `run(ctx)` -> DONE | WAIT, `progress` reached when done, `label` in words.

    `point_of_no_return`: cancelling is possible only before the first such step starts.
    `deadline`: seconds the step may take (None: the `OPERATIONS_STEP_DEADLINE` setting).
    `expected`: seconds the step usually takes, so the progress bar moves while VPSBG works.
    `polls`: what a WAIT of this step waits for, when one read per account can tell ("server": the
    target server to unlock); the dispatcher then sends no task while VPSBG still shows it busy, and
    the account poller finishes the operation itself when this is its last step.
    `park_first`: the step takes its first look one poll interval after it begins, not at once:
    VPSBG was just asked for something that takes minutes (a reinstall), so an immediate read
    would only say "busy".
    """

    key: str
    label: str
    run: Callable[[Context], str]
    progress: int
    point_of_no_return: bool = False
    deadline: float | None = None
    expected: float = 60.0
    polls: str = ""
    park_first: bool = False


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# Module-level so tests follow a fake clock (step deadlines and the progress estimate use it).
clock: Callable[[], float] = time.time


@dataclass
class Context:
    """What a step sees: the operation, the acting member, and the guarded-call helpers."""

    op: Operation
    actor: Actor
    delivery: str
    notes: list[str] = field(default_factory=list)
    # Objects the account poller read from VPSBG moments ago, by reference ("<account>:<id>"): a
    # step's fresh read of one of them takes it from here instead of asking VPSBG again.
    listed: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        return self.op.params

    @property
    def data(self) -> dict[str, Any]:
        return self.op.data

    def secret(self) -> dict[str, Any]:
        """The operation's secret parameters (e.g. a new root password), decrypted."""
        if not self.op.secret:
            return {}
        try:
            return json.loads(crypto.decrypt(self.op.secret))
        except (crypto.SecretUndecryptable, ValueError):
            raise StepFailed(
                "The operation's secret (the new password) cannot be decrypted with the configured keys."
            ) from None

    def save(self) -> None:
        """Persist what the step learned so far, before a call whose answer may be lost."""
        _save(self.op)

    def log(self, message: str, level: str = StepLog.Level.INFO) -> None:
        StepLog.objects.create(operation=self.op, message=message[:1000], level=level)

    def once(self, key: str, call: Callable[[], Any], verify: Callable[[], bool]) -> Any:
        """Make a destructive call at most once for this operation.

        The `StepMark` row is committed before the call. If it already exists (a redelivery, or a
        call whose answer never came), the call is never simply made again: `verify()` reads VPSBG
        and answers from its evidence: True -> the call took effect, not repeated; False -> VPSBG
        shows it did nothing (e.g. the old image is still installed), so calling again is safe. When
        VPSBG cannot tell (the effect may be over and leaves no trace), `verify` raises
        `StepFailed` asking a person to check, rather than risk a second destructive call.
        A first call that VPSBG refused outright (423 busy, 429, bad input, not allowed: nothing
        happened) drops its fresh mark, so the retry is a first call again.
        Returns the call's result, or None when it was not repeated.
        """
        mark = StepMark.objects.filter(operation=self.op, step=key).first()
        first = mark is None
        if mark is not None:
            if mark.done or verify():
                if not mark.done:
                    StepMark.objects.filter(pk=mark.pk).update(done=True)
                self.log(f"{key}: already accepted by VPSBG, not repeated.")
                return None
            self.log(
                f"{key}: VPSBG shows the last attempt took no effect; trying again.", StepLog.Level.WARNING
            )
        else:
            try:
                with transaction.atomic():
                    mark = StepMark.objects.create(operation=self.op, step=key)
            except IntegrityError:  # another delivery of this very operation raced us
                raise LeaseLost() from None
        try:
            result = call()
        except REFUSED:
            if first:  # VPSBG answered "no" to the one call made: nothing to verify later
                StepMark.objects.filter(pk=mark.pk).delete()
            raise
        StepMark.objects.filter(pk=mark.pk).update(done=True)
        return result

    def pay(self, order_ref: str, state_of: Callable[[], str]) -> str:
        """Pay one order at most once across the whole panel; returns the order's state after.

        `state_of()` reads the order's status at VPSBG. A `PaymentAttempt` row for the order is
        created (committed) before paying; when one exists already, the order's state decides:
        paid / processing -> nothing to do; still awaiting payment and the row is ours -> the last
        call never took effect, pay again; the row belongs to another live operation -> wait.
        """
        from panel.services import billing

        account_id, _, order_id = order_ref.rpartition(":")
        status = state_of()
        attempt = PaymentAttempt.objects.filter(account_id=account_id, order_id=int(order_id)).first()
        if status != "awaiting_payment":
            if status == "paid" and attempt is not None and attempt.outcome != PaymentAttempt.Outcome.PAID:
                # Our call went through before the answer was lost (a resumed delivery): record it.
                PaymentAttempt.objects.filter(pk=attempt.pk).update(outcome=PaymentAttempt.Outcome.PAID)
            return status
        if attempt is None:
            try:
                with transaction.atomic():
                    attempt = PaymentAttempt.objects.create(
                        account_id=account_id, order_id=int(order_id), operation=self.op
                    )
            except IntegrityError:
                return WAIT  # another operation started paying it this very moment
        elif attempt.operation_id != self.op.pk:
            other = Operation.objects.filter(pk=attempt.operation_id).values_list("state", flat=True).first()
            if other in (State.QUEUED, State.RUNNING, State.WAITING):
                self.log(f"Order {order_id} is being paid by operation {attempt.operation_id}; waiting.")
                return WAIT
            # The other operation ended without paying: this one takes the attempt over.
            PaymentAttempt.objects.filter(pk=attempt.pk).update(operation=self.op)
        billing.orders_pay(
            actor=self.actor, ids=[int(order_id)], payment_method="balance", account=account_id or None
        )
        PaymentAttempt.objects.filter(account_id=account_id, order_id=int(order_id)).update(
            outcome=PaymentAttempt.Outcome.PAID
        )
        self.log(f"Paid order {order_id} from the account balance.")
        return state_of()


# -- claiming, saving, parking, ending ------------------------------------------------------------
def _lease_seconds() -> float:
    return float(_setting("OPERATIONS_LEASE_SECONDS", 120))


def stuck_after() -> float:
    """Seconds of silence after which a lease is dead (its process stopped refreshing it)."""
    return float(_setting("OPERATIONS_STUCK_AFTER", 45))


def _arrived(op: Operation, now: Any) -> None:
    """Note how late this delivery came after the park ended (`bench/`, the page)."""
    due = op.data.pop("due", None)
    if due is not None:
        op.data["late_max"] = round(max(float(op.data.get("late_max") or 0), now.timestamp() - due), 3)


def _claim(operation_id: int, delivery: str, task_id: str, worker: str) -> Operation | None:
    """Take the operation for this delivery, or None when it ended, the message is stale, or another
    delivery drives it. A claim that finds a dead delivery's lease counts as a new attempt."""
    now = timezone.now()
    with transaction.atomic():
        op = Operation.objects.select_for_update().filter(pk=operation_id).first()
        if op is None or op.state in END_STATES:
            return None
        if task_id and task_id != op.task_id:  # not the message the dispatcher last sent
            logger.info("operations.stale_message", extra={"operation": op.pk})
            return None
        fresh = op.heartbeat_at is not None and op.heartbeat_at > now - timedelta(seconds=stuck_after())
        swept = bool(op.lease) and op.data.get("dead_lease") == op.lease  # the sweep found it dead
        if op.lease and fresh and not swept:
            logger.info("operations.duplicate_delivery", extra={"operation": op.pk})
            if task_id and op.heartbeat_at is not None:  # sent too early: retry when the lease runs out
                expires = op.heartbeat_at + timedelta(seconds=stuck_after())
                Operation.objects.filter(pk=op.pk, wake_at__isnull=False).update(wake_at=expires)
            return None
        resumed = bool(op.lease)  # the delivery before this one died mid-segment
        if resumed or op.attempts == 0:
            op.attempts += 1
        _arrived(op, now)
        op.data.pop("dead_lease", None)
        op.lease = delivery
        op.worker = worker[:255]
        op.heartbeat_at = now
        op.wake_at = None
        if op.started_at is None:
            op.started_at = now
        if op.state == State.QUEUED:
            op.state = State.RUNNING
        op.save(
            update_fields=[
                "attempts",
                "lease",
                "worker",
                "heartbeat_at",
                "wake_at",
                "started_at",
                "state",
                "data",
            ]
        )
        if resumed:
            StepLog.objects.create(
                operation=op,
                level=StepLog.Level.WARNING,
                message=f"Resumed by a new worker (delivery {op.attempts}).",
            )
    return op


def claim_parked(operation_id: int, wake_at: Any, delivery: str, worker: str) -> Operation | None:
    """Take a parked operation for the account poller (no task): only if nobody took it or moved its
    wake-up since the poller looked. Not a new attempt: no delivery died."""
    now = timezone.now()
    taken = Operation.objects.filter(
        pk=operation_id, wake_at=wake_at, lease="", state=State.WAITING, cancel_requested=False
    ).update(lease=delivery, worker=worker[:255], heartbeat_at=now, wake_at=None, task_id="")
    if not taken:
        return None
    op = Operation.objects.filter(pk=operation_id, lease=delivery).first()
    if op is not None:
        _arrived(op, now)
    return op


class Keepalive:
    """Refreshes, from a thread of the worker process, the heartbeat of the operations its deliveries
    hold, every `OPERATIONS_KEEPALIVE_SECONDS`, even while a delivery waits on a slow VPSBG call.

    So a heartbeat older than `OPERATIONS_STUCK_AFTER` (a few keepalive intervals) means the
    process is gone, and the sweep resumes its operations within a minute instead of after the
    task's time limits. A delivery is refreshed only up to the task's hard time limit (a thread
    pool cannot stop a task that runs past it), so a hung delivery is taken over too. Started only
    in Celery workers (`enable()` at worker start), lazily in the process that runs deliveries (a
    prefork child gets its own).
    """

    def __init__(self) -> None:
        self.enabled = False
        self._held: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def enable(self) -> None:
        self.enabled = True

    def hold(self, delivery: str, operation_id: int) -> None:
        if not self.enabled:
            return
        until = time.monotonic() + float(_setting("OPERATIONS_TASK_TIME_LIMIT", 150))
        with self._lock:
            self._held[delivery] = (operation_id, until)
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._loop, name="operations-keepalive", daemon=True)
                self._thread.start()

    def release(self, delivery: str) -> None:
        with self._lock:
            self._held.pop(delivery, None)

    def beat(self) -> int:
        """Refresh every held operation once; returns how many rows were refreshed."""
        now = time.monotonic()
        with self._lock:
            live = {d: pk for d, (pk, until) in self._held.items() if until > now}
        if not live:
            return 0
        return Operation.objects.filter(pk__in=list(live.values()), lease__in=list(live)).update(
            heartbeat_at=timezone.now()
        )

    def _loop(self) -> None:
        from django.db import close_old_connections

        while True:
            time.sleep(float(_setting("OPERATIONS_KEEPALIVE_SECONDS", 10)))
            try:
                close_old_connections()
                self.beat()
            except Exception:  # the database is away: the next beat tries again
                logger.warning("operations.keepalive_failed", exc_info=True)


keepalive = Keepalive()


def _save(op: Operation, **changes: Any) -> None:
    """Persist progress if this delivery still holds the lease; raise LeaseLost otherwise."""
    held = op.lease
    for name, value in changes.items():
        setattr(op, name, value)
    op.heartbeat_at = timezone.now()
    fields = ["heartbeat_at", "data", *changes]
    updated = Operation.objects.filter(pk=op.pk, lease=held, state__in=[State.RUNNING, State.WAITING]).update(
        **{name: getattr(op, name) for name in fields}
    )
    if not updated:
        raise LeaseLost()


def _park(op: Operation, seconds: float, **changes: Any) -> None:
    """Release the operation until `seconds` from now: the dispatcher sends the next delivery then.

    The task id is cleared with the lease, so no message sent before this moment can claim it.
    """
    op.data["wait"] = round(seconds, 3)
    op.data["due"] = time.time() + seconds
    _save(
        op,
        state=State.WAITING,
        lease="",
        worker="",
        task_id="",
        wake_at=timezone.now() + timedelta(seconds=seconds),
        **changes,
    )


def end(op: Operation, state: str, *, error: str = "", lease: str | None = None, note: str = "") -> bool:
    """Put the operation in an end state, release its locks, wipe its secret, notify; idempotent.

    With `lease`, only if that delivery still holds it. Returns False when it had ended already.
    `note`: what a success should say beyond "Done" (e.g. the order was already paid).
    """
    from .notify import notify_end

    now = timezone.now()
    with transaction.atomic():
        query = Operation.objects.select_for_update().filter(pk=op.pk).exclude(state__in=END_STATES)
        if lease is not None:
            query = query.filter(lease=lease)
        current = query.first()
        if current is None:
            return False
        current.state = state
        current.finished_at = now
        current.error = error[:5000]
        current.secret = ""
        current.lease = ""
        current.wake_at = None
        if state == State.SUCCEEDED:
            current.progress = 100
            current.step = (note or "Done")[:255]
        elif state == State.CANCELLED:
            current.step = "Cancelled"
        else:
            current.step = "Failed"
        current.save(
            update_fields=["state", "finished_at", "error", "secret", "lease", "wake_at", "progress", "step"]
        )
        current.locks.all().delete()
        levels: dict[str, str] = {State.SUCCEEDED: StepLog.Level.INFO, State.CANCELLED: StepLog.Level.WARNING}
        level = levels.get(
            state, StepLog.Level.ERROR
        )
        StepLog.objects.create(
            operation=current, level=level, message=(error or note or current.get_state_display())[:1000]
        )
        notify_end(current)
    for name in ("state", "finished_at", "error", "secret", "lease", "wake_at", "progress", "step"):
        setattr(op, name, getattr(current, name))
    metrics.operation_ended(current.kind, state, current.created_at, now)
    return True


# -- the actor ------------------------------------------------------------------------------------
def member_for(op: Operation, action: str) -> Membership:
    """The membership of the member who started the operation, allowed `action` now."""
    if op.actor_id is None:
        raise StepFailed("The member who started this operation no longer exists.")
    membership = (
        Membership.objects.select_related("team", "user")
        .filter(team_id=op.team_id, user_id=op.actor_id)
        .first()
    )
    if membership is None:
        raise StepFailed(f"{op.actor_name or 'The member'} is no longer a member of team {op.team}; stopped.")
    try:
        require(membership, action)
    except ActionDenied as exc:
        raise StepFailed(f"No longer allowed: {exc}") from None
    return membership


def rebuild_actor(op: Operation, action: str, *, membership: Membership | None = None) -> Actor:
    """The member who started the operation, re-checked now (a demoted member is refused).

    `membership`: what `member_for(op, action)` answered a moment ago (the poller asks it once for
    many operations); the server scope is still checked for this operation's target.
    """
    if membership is None:
        membership = member_for(op, action)
    if op.target_type == "server" and op.target_id:
        account, _, server_id = op.target_id.rpartition(":")
        if not membership.may_see_server(account, server_id):
            raise StepFailed("No longer allowed: this server is outside your access now.")
    return Actor(
        membership=membership,
        api_token_label=op.data.get("api_token_label") or None,
        reason=str(op.data.get("reason") or ""),
    )


# -- the loop -------------------------------------------------------------------------------------
def _backoff(retry: int, error: PanelError | None) -> float:
    base = float(_setting("OPERATIONS_RETRY_BASE", 2.0))
    cap = float(_setting("OPERATIONS_RETRY_CAP", 60.0))
    if isinstance(error, RateLimitedError) and error.retry_after:
        return min(float(error.retry_after), cap)
    return min(cap, base * (2**retry))


def _deadline(step: Step) -> float:
    return step.deadline if step.deadline is not None else float(_setting("OPERATIONS_STEP_DEADLINE", 3600))


def _deadline_passed(op: Operation, step: Step) -> bool:
    started = op.data.get("step_started")
    if not started:
        return False
    return clock() - float(started) > _deadline(step)


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def deadline_message(op: Operation, step: Step) -> str:
    """Why a step past its deadline failed, and what a person should look at."""
    what = {"server": "the server", "order": "the order"}.get(op.target_type, "it at VPSBG")
    target = f" ({op.target_label})" if op.target_label and op.target_type in ("server", "order") else ""
    return (
        f"VPSBG has not finished the {op.label.lower()} after {_duration(_deadline(step))} "
        f"(step: {step.label}); check {what}{target}."
    )


def estimate(op: Operation, steps: Sequence[Step], index: int) -> int:
    """Progress while a step waits: from the last step's mark toward this one's, by the time spent
    against what the step usually takes; it keeps moving, and never reaches the step's own mark."""
    step = steps[index]
    low = steps[index - 1].progress if index else 0
    high = max(low, min(step.progress, 99) - 1)
    elapsed = max(0.0, clock() - float(op.data.get("step_started") or clock()))
    share = elapsed / (elapsed + max(step.expected, 1.0))
    return max(op.progress, low + int((high - low) * share))


def _wait_for(op: Operation, steps: Sequence[Step], index: int, step: Step) -> None:
    """Park until the next look (one poll interval); the account poller may look for it."""
    if step.polls:  # the account poller may hold the next delivery until it can succeed
        op.data["waits_on"] = step.polls
        op.data["deadline_at"] = float(op.data["step_started"]) + _deadline(step)
    poll = float(_setting("OPERATIONS_POLL_SECONDS", 5.0))
    # A wait the account poller looks at is due half an interval on: at the dispatcher's next run
    # (one read per account and run whatever is due), never just after it (a whole interval lost).
    _park(op, poll / 2 if step.polls else poll, progress=estimate(op, steps, index), step=step.label)


def _drive(op: Operation, steps: Sequence[Step], ctx: Context) -> bool:
    """Run steps until the last one is done (True) or one must wait (parked; False).

    Database writes are few on purpose (one delivery is a few VPSBG calls and these writes): what
    a finished step learned is saved with the start of the next one, and the claim's own reading
    of the cancel flag serves the first step.
    """
    max_retries = int(_setting("OPERATIONS_MAX_RETRIES", 8))
    index = int(op.data.get("step_index", 0))
    first = True
    while index < len(steps):
        step = steps[index]
        started = "step_started" in op.data
        # Cancel is honoured up to the moment the first paying or destructive step begins.
        cancellable = not any(s.point_of_no_return for s in steps[:index]) and not (
            step.point_of_no_return and started
        )
        if cancellable and (
            op.cancel_requested  # as the claim read it
            if first
            else Operation.objects.filter(pk=op.pk, cancel_requested=True).exists()
        ):
            raise Cancelled()
        first = False
        if not started:
            op.data["step_started"] = clock()
            op.data["retries"] = 0
            ctx.log(f"{step.label}…")
            if step.park_first:
                op.step = step.label
                _wait_for(op, steps, index, step)
                return False
            _save(op, step=step.label, state=State.RUNNING, progress=op.progress)
        if _deadline_passed(op, step):
            raise StepFailed(deadline_message(op, step))
        try:
            outcome = step.run(ctx)
        except TRANSIENT as exc:
            retries = int(op.data.get("retries", 0))
            if retries >= max_retries:
                raise StepFailed(f"{step.label}: gave up after {retries + 1} tries. {exc.message}") from None
            op.data["retries"] = retries + 1
            op.data.pop("waits_on", None)  # a backoff: the next delivery must come when it ends
            wait = _backoff(retries, exc)
            ctx.log(f"{step.label}: {exc.message} Retrying in {wait:.0f} s.", StepLog.Level.WARNING)
            _park(op, wait)
            return False
        except NotAllowed as exc:
            raise StepFailed(exc.message) from None
        except PanelError as exc:
            raise StepFailed(f"{step.label}: {exc.message}") from None
        if outcome == WAIT:
            _wait_for(op, steps, index, step)
            return False
        if outcome != DONE:  # a kind bug: never an unknown state
            raise StepFailed(f"{step.label}: unexpected step answer {outcome!r}.")
        index += 1
        op.data["step_index"] = index
        op.data.pop("step_started", None)
        op.data.pop("retries", None)
        for name in ("wait", "waits_on", "deadline_at"):
            op.data.pop(name, None)
        op.progress = max(op.progress, min(step.progress, 99))
        if index == len(steps):  # the last step's result; a next step saves it as it starts
            _save(op, progress=op.progress, state=State.RUNNING)
    return True


def _out_of_time(op: Operation) -> None:
    """The delivery hit its soft time limit: park for a fresh one, or fail when it keeps happening."""
    max_retries = int(_setting("OPERATIONS_MAX_RETRIES", 8))
    retries = int(op.data.get("retries", 0))
    if retries >= max_retries:
        raise StepFailed(
            f"{op.step}: VPSBG kept answering too slowly; each try ran past the worker's time limit "
            f"({_duration(_lease_seconds())})."
        )
    op.data["retries"] = retries + 1
    StepLog.objects.create(
        operation=op,
        level=StepLog.Level.WARNING,
        message=f"{op.step}: this try ran past the worker's time limit ({_duration(_lease_seconds())}); "
        "going on in a new one.",
    )
    _park(op, _backoff(retries, None))


def run(operation_id: int, *, task_id: str = "", worker: str = "") -> str | None:
    """The task body: claim, drive the steps until one waits (parked) or all are done (end).

    Returns the state it left (None: skipped, the message was stale or a duplicate).
    """
    delivery = uuid.uuid4().hex
    op = _claim(operation_id, delivery, task_id, worker)
    if op is None:
        return None
    max_attempts = int(_setting("OPERATIONS_MAX_ATTEMPTS", 5))
    if op.attempts > max_attempts:
        end(
            op,
            State.FAILED,
            error=f"Stopped: the task was delivered {op.attempts} times (limit {max_attempts}); "
            "a worker keeps dying while running it.",
            lease=delivery,
        )
        return op.state
    return _execute(op, delivery)


def run_listed(
    operation_id: int, wake_at: Any, listed: dict[str, Any], *, actor: Actor | None = None
) -> str | None:
    """Drive a parked operation from what the account poller just read (`listed`), without a task:
    its step's fresh read of the server is that listing. Returns the state it left (None: someone
    else took it first). `actor`: the member, already re-checked by the poller for this account."""
    delivery = uuid.uuid4().hex
    op = claim_parked(operation_id, wake_at, delivery, "account poller")
    if op is None:
        return None
    return _execute(op, delivery, listed=listed, actor=actor)


def _execute(
    op: Operation, delivery: str, *, listed: dict[str, Any] | None = None, actor: Actor | None = None
) -> str | None:
    from .kinds.registry import KINDS

    kind = KINDS.get(op.kind)
    keepalive.hold(delivery, op.pk)
    try:
        try:
            if kind is None:
                raise StepFailed(f"Unknown kind of operation “{op.kind}”.")
            who = actor if actor is not None else rebuild_actor(op, kind.action)
            ctx = Context(op=op, actor=who, delivery=delivery, listed=dict(listed or {}))
            token = execution.OPERATION_URL.set(op.get_absolute_url())
            fresh = execution.FRESH_READS.set(True)  # steps decide from what VPSBG says now
            try:
                finished = _drive(op, kind.steps, ctx)
            finally:
                execution.FRESH_READS.reset(fresh)
                execution.OPERATION_URL.reset(token)
        except SoftTimeLimitExceeded:
            _out_of_time(op)
            finished = False
        if not finished:
            return op.state
    except LeaseLost:
        logger.warning("operations.lease_lost", extra={"operation": op.pk})
        return None
    except Cancelled:
        end(op, State.CANCELLED, error="Cancelled before VPSBG was asked to change anything.", lease=delivery)
        return op.state
    except StepFailed as exc:
        end(op, State.FAILED, error=exc.message, lease=delivery)
        return op.state
    except Exception as exc:  # a bug: still an end state, with a message a person can act on
        logger.exception("operations.crashed", extra={"operation": op.pk})
        end(
            op,
            State.FAILED,
            error=f"Internal error ({type(exc).__name__}); see the worker log.",
            lease=delivery,
        )
        return op.state
    finally:
        keepalive.release(delivery)
    end(op, State.SUCCEEDED, error="", lease=delivery, note=str(op.data.get("result_note") or ""))
    return op.state
