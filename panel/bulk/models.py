"""One row per server of a batch: what was asked (the stored request), its child operation, how it ended.

The parent is an ordinary `Operation` (kind `bulk_<action>`); its items hold the per-server
results its page shows and the failed ones a retry starts again.
"""

from __future__ import annotations

from django.db import models


class ItemState(models.TextChoices):
    PENDING = "pending", "Not started yet"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not started (batch cancelled)"


class BatchItem(models.Model):
    parent = models.ForeignKey("operations.Operation", on_delete=models.CASCADE, related_name="batch_items")
    position = models.PositiveIntegerField()
    target = models.CharField(max_length=300)  # "<account>:<server id>"
    target_label = models.CharField(max_length=255, blank=True)  # the hostname once known
    request = models.TextField()  # `ActionRequest.to_json()`: secret fields encrypted
    state = models.CharField(max_length=16, choices=ItemState.choices, default=ItemState.PENDING)
    child = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("parent", "position")
        constraints = [
            models.UniqueConstraint(fields=["parent", "target"], name="bulk_one_item_per_server"),
        ]
        indexes = [models.Index(fields=["parent", "state"])]

    def __str__(self) -> str:
        return f"{self.target_label or self.target} in batch {self.parent_id}"

    @property
    def label(self) -> str:
        return self.target_label or self.target
