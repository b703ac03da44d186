"""Panel API tokens and the idempotency records of API writes.

A `PanelApiToken` belongs to one membership (one person in one team): every request made with it
acts as that member *today*, so a demotion or a narrower server scope applies at once, and
removing the member deletes their tokens. Only a SHA-256 digest of the token is stored: the
plaintext (`vpp_` + 43 URL-safe characters, 32 random bytes) is shown once when it is created.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from panel.accounts.models import Team

TOKEN_PREFIX = "vpp_"


def hash_token(plaintext: str) -> str:
    """The stored digest of a token (a random 256-bit secret needs no slow hash or salt)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def new_plaintext() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class PanelApiTokenQuerySet(models.QuerySet["PanelApiToken"]):
    def active(self) -> PanelApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class PanelApiToken(models.Model):
    """A secret a script sends as `Authorization: Bearer vpp_...` to act as one member of one team."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="panel_api_tokens"
    )
    label = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="The first characters, to recognise it."
    )
    read_only = models.BooleanField(default=False)
    allowed_ips = models.JSONField(
        default=list, blank=True, help_text="Addresses or networks (CIDR) it may be used from; empty = any."
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.CharField(max_length=45, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PanelApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def team(self) -> Team:
        return self.membership.team

    @property
    def audit_label(self) -> str:
        """How the audit log names the token: its label and recognisable prefix."""
        return f"{self.label} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def status(self) -> str:
        if self.is_revoked:
            return "revoked"
        return "expired" if self.is_expired else "active"

    def allows_ip(self, address: str) -> bool:
        """True when the allow-list is empty or `address` falls in one of its networks."""
        if not self.allowed_ips:
            return True
        try:
            ip = ipaddress.ip_address((address or "").strip())
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        for entry in self.allowed_ips:
            try:
                if ip in ipaddress.ip_network(str(entry), strict=False):
                    return True
            except ValueError:
                continue
        return False


class IdempotencyRecord(models.Model):
    """One `Idempotency-Key` a token used, and the answer it got (once finished).

    The row is inserted BEFORE the work runs (unique per token and key), so a second request with
    the same key, concurrent or later, finds it instead of running the work again.
    """

    token = models.ForeignKey(PanelApiToken, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    completed = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_unique_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} key={self.key[:20]}"
