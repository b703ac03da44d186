"""VPSBG API tokens held by a team, encrypted at rest.

The plaintext secret is reachable only through `ApiToken.reveal_secret()`, which the service
layer calls right before talking to VPSBG. Nothing else (string forms, admin, forms, templates,
logs, task arguments) ever sees it; the page shows the last 4 characters only.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from . import crypto


class TokenScope(models.TextChoices):
    READ_ONLY = "read_only", "Read-only"
    READ_WRITE = "read_write", "Read-write"


class TokenStatus(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    OK = "ok", "OK"
    REVOKED = "revoked", "Revoked"
    FAILING = "failing", "Failing"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def for_team(self, team: object) -> ApiTokenQuerySet:
        return self.filter(team=team)

    def needing_attention(self) -> ApiTokenQuerySet:
        return self.filter(status__in=[TokenStatus.REVOKED, TokenStatus.FAILING])


class ApiToken(models.Model):
    """One VPSBG API token of a team; its secret stays encrypted with `PANEL_ENCRYPTION_KEYS`."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=16, choices=TokenScope.choices, default=TokenScope.READ_WRITE)
    account_id = models.CharField(
        "VPSBG account", max_length=255, blank=True, help_text="The VPSBG account's identity, from the check."
    )
    account_label = models.CharField(max_length=255, blank=True)
    secret_encrypted = models.TextField(editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    secret_fingerprint = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False,
        help_text="HMAC of the secret under VAULT_FINGERPRINT_KEYS: finds a secret stored twice.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=255, blank=True, help_text="Kept when the user is deleted.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=TokenStatus.choices, default=TokenStatus.UNCHECKED)
    status_message = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    rotation_count = models.PositiveIntegerField(default=0)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["team", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_token_name_per_team")]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} (…{self.last4})"

    def __repr__(self) -> str:
        return f"<ApiToken id={self.pk} team_id={self.team_id} name={self.name!r} last4={self.last4!r}>"

    # -- the secret -------------------------------------------------------------------------------
    def set_secret(self, plaintext: str) -> None:
        """Encrypt and keep the secret; only its last 4 characters stay readable."""
        plaintext = plaintext.strip()
        if not plaintext:
            raise ValueError("A token secret cannot be empty.")
        self.secret_encrypted = crypto.encrypt(plaintext)
        self.secret_fingerprint = crypto.fingerprint(plaintext)
        self.last4 = plaintext[-4:]

    def reveal_secret(self) -> str:
        """The plaintext, for the service layer only (raises `crypto.SecretUndecryptable`)."""
        return crypto.decrypt(self.secret_encrypted)

    # -- display helpers --------------------------------------------------------------------------
    @property
    def masked(self) -> str:
        return f"••••{self.last4}"

    @property
    def is_read_only(self) -> bool:
        return self.scope == TokenScope.READ_ONLY

    @property
    def needs_attention(self) -> bool:
        return self.status in (TokenStatus.REVOKED, TokenStatus.FAILING)

    @property
    def created_by_display(self) -> str:
        if self.created_by is not None:
            return getattr(self.created_by, "display_name", None) or str(self.created_by)
        return self.created_by_name or "—"
