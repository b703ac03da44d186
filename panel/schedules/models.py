"""A schedule, its runs, and the snapshots it made (so retention deletes only those)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class TargetKind(models.TextChoices):
    SERVER = "server", "One server"
    LABEL = "label", "Servers with a label"
    FILTER = "filter", "Servers matching a filter"


class Schedule(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(max_length=100)
    action = models.CharField(max_length=64)  # a schedulable action's name (its operationId)
    input = models.JSONField(default=dict, blank=True)  # validated by the action's input type
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    target_value = models.CharField(max_length=500)  # a server ref, a label, or a filter query
    interval_minutes = models.PositiveIntegerField(null=True, blank=True)
    cron = models.CharField(max_length=100, blank=True)  # five fields, in `time_zone`
    time_zone = models.CharField(max_length=64, default="UTC")
    anchor = models.DateTimeField()  # intervals count from here
    keep_last = models.PositiveSmallIntegerField(null=True, blank=True)  # snapshot retention
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(max_length=255, blank=True)  # survives the user's deletion
    paused = models.BooleanField(default=False)
    pause_reason = models.CharField(max_length=1000, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "pk")
        indexes = [models.Index(fields=["paused", "next_run_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("schedules:detail", kwargs={"pk": self.pk})


class RunOutcome(models.TextChoices):
    STARTED = "started", "Started"
    WAITING_APPROVAL = "waiting_approval", "Waiting for approval"
    REFUSED = "refused", "Refused"
    PAUSED = "paused", "Paused the schedule"
    NO_SERVERS = "no_servers", "No server matched"
    FAILED = "failed", "Could not start"


class ScheduleRun(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="runs")
    due_at = models.DateTimeField()  # the slot it ran for (the latest one when some were missed)
    started_at = models.DateTimeField()
    missed = models.PositiveIntegerField(default=0)  # earlier slots missed while the panel was down
    servers = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=24, choices=RunOutcome.choices)
    message = models.CharField(max_length=1000, blank=True)
    operation = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-started_at", "-pk")

    def __str__(self) -> str:
        return f"run of {self.schedule} at {self.due_at:%Y-%m-%d %H:%M}"


class SnapshotState(models.TextChoices):
    KEPT = "kept", "Kept"
    DELETING = "deleting", "Being deleted"
    DELETED = "deleted", "Deleted"
    DELETE_FAILED = "delete_failed", "Deletion failed"


class ScheduleSnapshot(models.Model):
    """A snapshot this schedule made: the only ones its retention may delete."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="snapshots")
    server = models.CharField(max_length=300)  # "<account>:<server id>"
    server_label = models.CharField(max_length=255, blank=True)
    snapshot_id = models.BigIntegerField()
    made_by = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=SnapshotState.choices, default=SnapshotState.KEPT)
    delete_operation = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ("schedule", "server", "made_at", "snapshot_id")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "server", "snapshot_id"], name="schedules_snapshot_once"
            )
        ]

    def __str__(self) -> str:
        return f"snapshot {self.snapshot_id} of {self.server_label or self.server}"
