"""Per-team sign-in rules, the rules that map a provider's groups to team roles, and linked identities.

Kept beside (not inside) `panel.accounts` so a team's sign-in policy is one small app with its own
migrations; `Membership` itself is unchanged: `ProviderGrant` marks the memberships the provider's
rules granted, the only ones a sign-in may change or remove.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from panel.accounts.models import Membership, Team
from panel.accounts.roles import Role


class TeamSignIn(models.Model):
    """How people of one team sign in: which provider, which email domains may join, password or not."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="sign_in")
    provider = models.CharField(max_length=32, blank=True, help_text="A key of OIDC_PROVIDERS; empty: none.")
    allowed_domains = models.JSONField(default=list, blank=True)
    password_sign_in = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Sign-in of {self.team}"

    def allows_domain(self, email: str) -> bool:
        domain = email.rpartition("@")[2].lower()
        return bool(domain) and domain in self.allowed_domains


class RoleRule(models.Model):
    """People whose `claim` holds `value` (a group, usually) get `role` in the team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="role_rules")
    claim = models.CharField(max_length=64, default="groups")
    value = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "claim", "value"], name="unique_role_rule")]
        ordering = ["claim", "value"]

    def __str__(self) -> str:
        return f"{self.claim} = {self.value} → {self.get_role_display()}"


class ExternalIdentity(models.Model):
    """A person's account at a provider, by its stable subject (`sub`), not by email (emails get reused)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    provider = models.CharField(max_length=32)
    subject = models.CharField(max_length=255)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="unique_external_identity")
        ]

    def __str__(self) -> str:
        return f"{self.email or self.subject} at {self.provider}"


class ProviderGrant(models.Model):
    """This membership exists because a role rule matched: the provider's groups keep it up to date."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="provider_grant")
    provider = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.membership} (from {self.provider})"
