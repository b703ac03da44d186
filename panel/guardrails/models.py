"""The rows behind the guardrails: rules, held requests and their decisions, budgets and what was
spent, freeze windows and break-glass, elevations, and the in-panel notices that tell people.

Every change to a rule, budget, freeze or elevation is audited with its before and after
(`services.audit_change`); a held request keeps the `ActionRequest` JSON itself (secret fields
stay encrypted, see `panel.actions.request`), so approvers see exactly what will run.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from panel.accounts.roles import Role
from panel.actions.base import Risk

AMOUNT = {"max_digits": 12, "decimal_places": 2}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def role_labels(roles: list[str]) -> str:
    return ", ".join(Role(r).label for r in roles if r in Role.values) or "—"


class ApprovalRule(models.Model):
    """Which actions need approval, by whom: by risk class or by name; paying ones above an amount."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="approval_rules")
    risk = models.CharField(
        max_length=16, blank=True, choices=[(r.value, r.value.capitalize()) for r in Risk]
    )
    action_name = models.CharField("action", max_length=100, blank=True)
    min_amount = models.DecimalField(null=True, blank=True, **AMOUNT)
    currency = models.CharField(max_length=3, default="EUR")
    approvals_required = models.PositiveSmallIntegerField(default=1, choices=[(1, "1"), (2, "2")])
    approver_roles = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        what = f"“{self.action_name}”" if self.action_name else f"every {self.risk} action"
        if self.min_amount is not None:
            what += f" costing {money(self.min_amount, self.currency)} or more"
        who = f"{self.approvals_required} approval{'s' if self.approvals_required > 1 else ''}"
        return f"{what} needs {who} by {role_labels(self.approver_roles)}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "risk": self.risk,
            "action": self.action_name,
            "min_amount": str(self.min_amount) if self.min_amount is not None else None,
            "currency": self.currency,
            "approvals_required": self.approvals_required,
            "approver_roles": list(self.approver_roles),
            "enabled": self.enabled,
        }


class ApprovalState(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved and run"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    FAILED = "failed", "Approved, could not run"
    CANCELLED = "cancelled", "Withdrawn"


class ApprovalRequest(models.Model):
    """A held batch (one request for a click, several for a bulk action): one approval for all."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="approval_requests")
    requester = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requester_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requester_name = models.CharField(max_length=255)
    requests = models.JSONField(help_text="ActionRequest.to_json() of each held request (secrets encrypted).")
    summary = models.CharField(max_length=500)
    risk = models.CharField(max_length=16)
    cost_amount = models.DecimalField(null=True, blank=True, **AMOUNT)
    cost_currency = models.CharField(max_length=3, blank=True)
    why = models.TextField(help_text="The rules (or budget) that asked for approval.")
    approvals_required = models.PositiveSmallIntegerField(default=1)
    approver_roles = models.JSONField(default=list)
    state = models.CharField(max_length=16, choices=ApprovalState.choices, default=ApprovalState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)
    operation_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["team", "state"], name="guardrails_approval_state")]

    def __str__(self) -> str:
        return f"Approval request #{self.pk}: {self.summary}"

    def get_absolute_url(self) -> str:
        return reverse("guardrails:approval", kwargs={"pk": self.pk})

    def api_url(self) -> str:
        return f"/api/v1/guardrails/approvals/{self.pk}"

    def api_body(self) -> dict[str, Any]:
        """What the API answers (202) when an action was held, and on GET of the request."""
        from .api import ApprovalRequestSerializer

        return dict(ApprovalRequestSerializer(self).data)

    @property
    def is_open(self) -> bool:
        return self.state == ApprovalState.PENDING and timezone.now() < self.expires_at

    @property
    def shown_state(self) -> str:
        if self.state == ApprovalState.PENDING and timezone.now() >= self.expires_at:
            return ApprovalState.EXPIRED.label
        return self.get_state_display()

    @property
    def approver_roles_text(self) -> str:
        return role_labels(self.approver_roles)

    @property
    def cost_text(self) -> str:
        return f"{self.cost_amount} {self.cost_currency}" if self.cost_amount is not None else ""


class Decision(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"


class ApprovalDecision(models.Model):
    approval = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=255)
    role = models.CharField(max_length=16, choices=Role.choices)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["approval", "user"], name="one_decision_per_person")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.name}"


class OnExceed(models.TextChoices):
    REFUSE = "refuse", "Refuse"
    APPROVE = "approve", "Send to approval"


class Budget(models.Model):
    """Spend limits of the team (`account_id` empty) or of one of its VPSBG accounts."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="budgets")
    account_id = models.CharField("VPSBG account", max_length=255, blank=True)
    monthly_limit = models.DecimalField(null=True, blank=True, **AMOUNT)
    per_order_limit = models.DecimalField(null=True, blank=True, **AMOUNT)
    currency = models.CharField(max_length=3, default="EUR")
    on_exceed = models.CharField(max_length=8, choices=OnExceed.choices, default=OnExceed.REFUSE)
    approvals_required = models.PositiveSmallIntegerField(default=1, choices=[(1, "1"), (2, "2")])
    approver_roles = models.JSONField(default=list)

    class Meta:
        ordering = ["account_id"]
        constraints = [models.UniqueConstraint(fields=["team", "account_id"], name="one_budget_per_scope")]

    def __str__(self) -> str:
        return f"budget of {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return f"VPSBG account {self.account_id}" if self.account_id else "the whole team"

    def snapshot(self) -> dict[str, Any]:
        return {
            "account": self.account_id,
            "monthly_limit": str(self.monthly_limit) if self.monthly_limit is not None else None,
            "per_order_limit": str(self.per_order_limit) if self.per_order_limit is not None else None,
            "currency": self.currency,
            "on_exceed": self.on_exceed,
            "approvals_required": self.approvals_required,
            "approver_roles": list(self.approver_roles),
        }


class Spend(models.Model):
    """What the panel committed to pay: one row per paying request it ran (its cost when known)."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    account_id = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3)
    action_name = models.CharField(max_length=100)
    target = models.CharField(max_length=255, blank=True)
    operation = models.ForeignKey(
        "operations.Operation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.action_name}"


class FreezeScope(models.TextChoices):
    DESTRUCTIVE = "destructive", "Destructive actions"
    WRITES = "writes", "Every change (all writes)"


class FreezeKind(models.TextChoices):
    ONCE = "once", "One-off"
    WEEKLY = "weekly", "Every week"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


class Freeze(models.Model):
    """A change-freeze window: one-off (from, until) or weekly (days, from, until) in its time zone."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="freezes")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=16, choices=FreezeScope.choices, default=FreezeScope.DESTRUCTIVE)
    kind = models.CharField(max_length=8, choices=FreezeKind.choices, default=FreezeKind.ONCE)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    weekdays = models.JSONField(default=list, blank=True, help_text="0 = Monday … 6 = Sunday")
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def covers(self, risk: str) -> bool:
        if self.scope == FreezeScope.WRITES:
            return risk != Risk.READ
        return risk == Risk.DESTRUCTIVE

    def window_at(self, moment: datetime) -> tuple[datetime, datetime] | None:
        """The (start, end) of the window in force at `moment`, or None."""
        if not self.enabled:
            return None
        if self.kind == FreezeKind.ONCE:
            if self.starts_at and self.ends_at and self.starts_at <= moment < self.ends_at:
                return self.starts_at, self.ends_at
            return None
        if self.start_time is None or self.end_time is None or not self.weekdays:
            return None
        tz = zone(self.time_zone)
        local = moment.astimezone(tz)
        for days_back in (0, 1):  # a window that started yesterday may run past midnight
            day = local.date() - timedelta(days=days_back)
            if day.weekday() not in self.weekdays:
                continue
            start = datetime.combine(day, self.start_time, tzinfo=tz)
            end_day = day if self.end_time > self.start_time else day + timedelta(days=1)
            end = datetime.combine(end_day, self.end_time, tzinfo=tz)
            if start <= local < end:
                return start, end
        return None

    def describe(self) -> str:
        if self.kind == FreezeKind.ONCE:
            tz = zone(self.time_zone)
            if not (self.starts_at and self.ends_at):
                return "no dates"
            start, end = self.starts_at.astimezone(tz), self.ends_at.astimezone(tz)
            return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} ({self.time_zone})"
        days = ", ".join(WEEKDAYS[d] for d in sorted(self.weekdays) if 0 <= d < 7)
        start = self.start_time.strftime("%H:%M") if isinstance(self.start_time, time) else "?"
        end = self.end_time.strftime("%H:%M") if isinstance(self.end_time, time) else "?"
        return f"every {days} {start}–{end} ({self.time_zone})"

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scope": self.scope,
            "kind": self.kind,
            "window": self.describe(),
            "enabled": self.enabled,
        }


class BreakGlass(models.Model):
    """An owner lifted a freeze for a while, with a reason (audited loudly, everyone told)."""

    freeze = models.ForeignKey(Freeze, on_delete=models.CASCADE, related_name="break_glass")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=255)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"break glass of {self.freeze} by {self.name}"


class ElevationState(models.TextChoices):
    REQUESTED = "requested", "Asked"
    GRANTED = "granted", "Granted"
    REJECTED = "rejected", "Refused"
    REVOKED = "revoked", "Ended early"


MAX_ELEVATION_MINUTES = 8 * 60


class Elevation(models.Model):
    """A member's higher role for a while (at most 8 h), asked with a reason, granted by an
    owner or admin. `panel.accounts.permissions.can` reads it at every check, expiry included."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="elevations")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="elevations")
    role = models.CharField(max_length=16, choices=Role.choices)
    minutes = models.PositiveIntegerField()
    reason = models.TextField()
    state = models.CharField(max_length=16, choices=ElevationState.choices, default=ElevationState.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["membership", "state", "ends_at"], name="guardrails_elevation_live")]

    def __str__(self) -> str:
        return f"{self.membership} elevated to {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return (
            self.state == ElevationState.GRANTED
            and self.ends_at is not None
            and timezone.now() < self.ends_at
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "member": self.membership.user.email,
            "role": self.role,
            "minutes": self.minutes,
            "state": self.state,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
        }


class Notice(models.Model):
    """Something a member must know about a guardrail (an approval to give, a broken freeze)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=8, default="info")
    message = models.CharField(max_length=1000)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.message


def money(value: Decimal | None, currency: str) -> str:
    return f"{value:.2f} {currency}" if value is not None else "—"
