"""People, teams and memberships.

A person signs in by email; the role lives on the membership, not on the user, because one person
can be an owner of one team and a viewer of another.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person; signs in with email and password (plus a second factor when enrolled)."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Team(models.Model):
    """A group of people sharing VPSBG tokens; every VPSBG action happens on behalf of a team."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    require_2fa = models.BooleanField(
        default=False, help_text="Members must use a second factor to act in this team."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in a team, optionally limited to chosen servers.

    `server_scope` empty means every server of the team; otherwise a list of
    `"<vpsbg account id>:<server id>"` strings (server identity across accounts).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    server_scope = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_membership")]
        ordering = ["team__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} as {self.get_role_display()}"

    @property
    def is_server_limited(self) -> bool:
        return bool(self.server_scope)

    def may_see_server(self, account_id: int | str, server_id: int | str) -> bool:
        return not self.server_scope or f"{account_id}:{server_id}" in self.server_scope
