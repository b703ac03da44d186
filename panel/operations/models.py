"""What the panel remembers of a long operation, and the guards that keep its steps single.

`Operation` is the row the user watches (state, progress, step log). The other tables exist so a
redelivered or duplicated task cannot repeat a paying or destructive call:

- `OperationLock`: one row per thing an active operation writes to (a server, an order). Unique
  key, so a second operation on the same server fails to insert and is answered "busy".
- `StepMark`: written (and committed) BEFORE a destructive call; a redelivered task that finds it
  reads VPSBG's state instead of calling again.
- `PaymentAttempt`: one row per (VPSBG account, order id), written BEFORE paying. Unique across
  every operation, so two operations (or two deliveries) never both pay one order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class State(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    WAITING = "waiting", "Waiting for VPSBG"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATES: tuple[str, ...] = (State.QUEUED, State.RUNNING, State.WAITING)
END_STATES: tuple[str, ...] = (State.SUCCEEDED, State.FAILED, State.CANCELLED)


class Operation(models.Model):
    kind = models.CharField(max_length=64)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="operations")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=255, blank=True)  # survives the user's deletion
    account_id = models.CharField(max_length=255, blank=True)  # the VPSBG account acted on
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=300, blank=True)  # "<account>:<id>" when one object
    target_label = models.CharField(max_length=255, blank=True)
    params = models.JSONField(default=dict, blank=True)  # never a secret (see `secret`)
    secret = models.TextField(blank=True, editable=False)  # Fernet-encrypted JSON, wiped at the end
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=255, blank=True)  # the current step, in words
    data = models.JSONField(default=dict, blank=True)  # what the steps learned (order ids...)
    attempts = models.PositiveIntegerField(default=0)  # task deliveries that ran it
    idempotency_key = models.CharField(max_length=100, blank=True, default="")
    task_id = models.CharField(max_length=255, blank=True)
    lease = models.CharField(max_length=64, blank=True)  # the delivery now driving it
    worker = models.CharField(max_length=255, blank=True)  # the Celery node of that delivery
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When the dispatcher sends its next task (None: a delivery holds it, or it ended). Set when it
    # is created (the outbox) and when it parks to wait for VPSBG; a worker never sleeps on it.
    wake_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=["team", "state"]),
            models.Index(fields=["state", "heartbeat_at"]),
            models.Index(
                fields=["wake_at"], condition=models.Q(wake_at__isnull=False), name="operations_wake_at"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="operations_unique_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"operation {self.pk} ({self.kind})"

    def get_absolute_url(self) -> str:
        return reverse("operations:detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_ended(self) -> bool:
        return self.state in END_STATES

    @property
    def label(self) -> str:
        from .kinds import registry

        kind = registry.KINDS.get(self.kind)
        return kind.label if kind else self.kind

    @property
    def progress_now(self) -> int:
        """The progress to show now: while a step waits, estimated from the time it has taken so
        far against what it usually takes (`runner.estimate`), so the bar moves on every poll of
        the page, not only when a worker next writes the row (after a poll interval, or a retry's
        backoff of minutes)."""
        from . import runner
        from .kinds import registry

        kind = registry.KINDS.get(self.kind)
        index = int(self.data.get("step_index", 0))
        if not self.is_active or kind is None or index >= len(kind.steps) or "step_started" not in self.data:
            return self.progress
        return runner.estimate(self, kind.steps, index)

    @property
    def cancellable(self) -> bool:
        """Still before the paying or destructive step (once it starts, VPSBG has been asked)."""
        from .kinds import registry

        kind = registry.KINDS.get(self.kind)
        if kind is None or not self.is_active:
            return False
        reached = int(self.data.get("step_index", 0))
        return reached < kind.cancellable_steps or (
            reached == kind.cancellable_steps and "step_started" not in self.data
        )

    def _due_since(self) -> tuple[datetime | None, bool]:
        """Since when a worker should have been driving it, and whether one claimed it (a lease)."""
        if self.lease:
            return self.heartbeat_at, True
        if self.state == State.WAITING and self.heartbeat_at is not None:  # parked
            return self.heartbeat_at + timedelta(seconds=float(self.data.get("wait") or 0)), False
        return self.created_at, False

    @property
    def stale_message(self) -> str:
        """Words for a person when no worker is moving an active operation ("" while all is well)."""
        if not self.is_active:
            return ""
        since, claimed = self._due_since()
        if since is None:
            return ""
        poll = float(getattr(settings, "OPERATIONS_POLL_SECONDS", 5))
        # A live worker refreshes its operations' heartbeat (keepalive): silent this long, it is gone.
        grace = float(getattr(settings, "OPERATIONS_STUCK_AFTER", 45)) if claimed else 2 * poll + 30
        silent = (timezone.now() - since).total_seconds()
        if silent <= grace:
            return ""
        minutes = f"{silent / 60:.0f} min" if silent >= 120 else f"{silent:.0f} s"
        if claimed:
            return (
                f"No word from its worker for {minutes}: the worker may have stopped. It goes on "
                "where it stopped when a worker runs again; check the operations workers."
            )
        return (
            f"Waiting for a worker for {minutes}: the workers are all busy or none is running; "
            "check the operations workers."
        )


class StepLog(models.Model):
    """One line of an operation's step log (what happened, when)."""

    class Level(models.TextChoices):
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.INFO)
    message = models.CharField(max_length=1000)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.message}"


class OperationLock(models.Model):
    """An active operation's claim on one object (`server:<account>:<id>`, `order:<account>:<id>`)."""

    key = models.CharField(max_length=320, unique=True)
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="locks")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.key} held by operation {self.operation_id}"


class StepMark(models.Model):
    """A destructive call was (about to be) made for this step; `done` once VPSBG accepted it."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="marks")
    step = models.CharField(max_length=64)
    done = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operation", "step"], name="operations_one_mark_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.step} of operation {self.operation_id}"


class PaymentAttempt(models.Model):
    """The panel's promise that one order is paid at most once (see the module docstring)."""

    class Outcome(models.TextChoices):
        STARTED = "started", "Started"  # the call may or may not have reached VPSBG
        PAID = "paid", "Paid"

    account_id = models.CharField(max_length=255)
    order_id = models.BigIntegerField()
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="payments")
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.STARTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_id", "order_id"], name="operations_one_payment_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"payment of order {self.order_id} ({self.outcome})"


class Notification(models.Model):
    """An operation's result for its actor, shown in the panel until read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="notifications")
    level = models.CharField(max_length=8, default="info")
    message = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.message


class TeamWebhook(models.Model):
    """Optional: a URL of the team that receives a JSON POST when one of its operations ends."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="operations_webhook")
    url = models.URLField(max_length=500)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"webhook of {self.team}"
