"""Append-only audit events, chained by hash.

Each `AuditEvent` stores the hash of the one before it (`prev_hash`) and a gapless sequence number
(`seq`), so altering, removing or inserting a row is visible to `verify_audit_chain`. The facts
that identify people and teams are copied as plain values (`actor_user_id`, `actor_name`,
`team_ref_id`, `team_name`): they are what the hash covers, and they survive the deletion of the
user or team. The foreign keys next to them exist only for joins and admin filters; deleting a user
or team sets them to NULL, which is the ONE update the model, the queryset and the PostgreSQL
trigger let through.

Writes go through `panel.audit.recorder.record()`; nothing here creates events by itself.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class AuditImmutableError(Exception):
    """Raised when code tries to change or delete an audit event outside the sanctioned purge."""


class Outcome(models.TextChoices):
    OK = "ok", "OK"
    DENIED = "denied", "Denied"
    FAILED = "failed", "Failed"


# Foreign-key columns that may be set to NULL when the referenced user or team is deleted.
NULLABLE_LINKS = frozenset({"actor", "actor_id", "team", "team_id"})


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Refuses bulk edits and deletes: the log is append-only."""

    def update(self, **kwargs: Any) -> int:
        # Django's deletion collector nulls SET_NULL foreign keys through QuerySet.update().
        if kwargs and set(kwargs) <= NULLABLE_LINKS and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise AuditImmutableError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit events cannot be deleted; use `manage.py purge_audit`.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditImmutableError("Audit events cannot be changed.")

    def for_team(self, team_id: int) -> AuditEventQuerySet:
        return self.filter(team_ref_id=team_id)


class AuditEvent(models.Model):
    """One write (or sensitive read) done through the panel, as it happened."""

    seq = models.PositiveBigIntegerField(
        unique=True, editable=False, help_text="Gapless position in the chain."
    )
    created_at = models.DateTimeField(db_index=True, editable=False, help_text="UTC.")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_name = models.CharField(max_length=255, blank=True, help_text="Kept when the user is deleted.")
    actor_api_token = models.CharField(
        "panel API token", max_length=255, blank=True, help_text="Set when the actor is a panel API token."
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    team_ref_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    team_name = models.CharField(max_length=255, blank=True)

    operation_id = models.CharField("action", max_length=100, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=128, blank=True)
    target_label = models.CharField(max_length=255, blank=True)

    token_id = models.BigIntegerField("VPSBG token id", null=True, blank=True)
    token_name = models.CharField("VPSBG token name", max_length=255, blank=True)

    params = models.JSONField(default=dict, blank=True, help_text="Secrets already redacted.")
    outcome = models.CharField(max_length=8, choices=Outcome.choices, db_index=True)
    upstream_status = models.PositiveIntegerField(null=True, blank=True)
    upstream_message = models.TextField(blank=True)

    request_id = models.CharField(max_length=128, blank=True, db_index=True)
    client_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    operation_url = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True)

    prev_hash = models.CharField(max_length=64, editable=False)
    key_id = models.CharField(
        max_length=16, blank=True, default="", editable=False,
        help_text="Which AUDIT_HMAC_KEYS key made the hash (empty: an unkeyed event from before).",
    )
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-seq"]
        indexes: ClassVar = [models.Index(fields=["team_ref_id", "-seq"], name="audit_team_seq")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.seq} {self.operation_id} by {self.actor_display} ({self.outcome})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit events cannot be deleted; use `manage.py purge_audit`.")

    @property
    def actor_display(self) -> str:
        if self.actor_api_token:
            return (
                f"{self.actor_name} via API token {self.actor_api_token}"
                if self.actor_name
                else (f"API token {self.actor_api_token}")
            )
        return self.actor_name or "system"

    @property
    def target_display(self) -> str:
        parts = [p for p in (self.target_type, self.target_id) if p]
        text = " ".join(parts)
        if self.target_label and self.target_label != self.target_id:  # else the label adds nothing
            text = f"{text} ({self.target_label})" if text else self.target_label
        return text


class AuditChainHead(models.Model):
    """The single row that records the chain's end; locking it serializes appends.

    Without this lock two transactions could read the same last hash and fork the chain.
    It also lets the verifier notice events removed from the END of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"chain head at #{self.last_seq}"


class AuditPurgeQuerySet(models.QuerySet["AuditPurge"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("Purge records cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Purge records cannot be deleted.")


class AuditPurge(models.Model):
    """A checkpoint left by `purge_audit`: the chain now starts after `anchor_seq`/`anchor_hash`."""

    created_at = models.DateTimeField(editable=False)
    cutoff = models.DateTimeField(help_text="Events older than this were removed.")
    purged_count = models.PositiveBigIntegerField()
    first_seq = models.PositiveBigIntegerField()
    anchor_seq = models.PositiveBigIntegerField(help_text="Sequence number of the last removed event.")
    anchor_hash = models.CharField(max_length=64, help_text="Hash of the last removed event.")

    objects = AuditPurgeQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-anchor_seq"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"purge of #{self.first_seq}..#{self.anchor_seq} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError("Purge records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Purge records cannot be deleted.")
