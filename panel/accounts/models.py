"""People, teams and memberships.

A person signs in by email; the role lives on the membership, not on the user, because one person
can be an owner of one team and a viewer of another.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from panel.vault import crypto

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

    def get_by_natural_key(self, username: str | None) -> User:
        # Emails are stored lower-case; signing in as "Ann@Example.org" finds ann@example.org.
        return self.get(email__iexact=username or "")

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp's device: no stubs
    """A person; signs in with email and password (plus a second factor when enrolled)."""

    username = None  # type: ignore[assignment]  # Django's documented way to drop the field
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    # An IANA zone ("Europe/Sofia"); empty means the panel's TIME_ZONE. Pages show times in it.
    time_zone = models.CharField("time zone", max_length=64, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Bumped by "sign out my other sessions": it is part of the session hash, so every session
    # made before the bump stops validating, whatever the session backend (db, cache, cookies).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()  # type: ignore[assignment,misc]  # by email, not username

    def __str__(self) -> str:
        return self.full_name or self.email

    def _session_hash(self, secret: str | None) -> str:
        key_salt = "panel.accounts.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self) -> str:
        return self._session_hash(None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(str(fallback_secret))

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


def hash_invitation_token(token: str) -> str:
    """Invitation links carry a random token; only its hash is stored, so a database dump invites no one."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An emailed, expiring, single-use invitation to join a team with a chosen role."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.team} as {self.get_role_display()}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "pending"


def _new_encrypted_key() -> str:
    return crypto.encrypt(random_hex(20))


class EncryptedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP), its secret encrypted with the vault's keys (`PANEL_ENCRYPTION_KEYS`).

    django-otp's own `TOTPDevice` keeps the secret in plain hex, which a database dump would hand
    to anyone: this model has the same fields and behaviour (its methods are django-otp's, reused
    as they are) except that `key_encrypted` holds the hex key as a Fernet token; `bin_key`
    decrypts it when a code is checked or the QR code drawn. `rotate_encryption_keys` re-encrypts
    it with the vault's tokens. Migration 0003 moved the rows of `TOTPDevice` here.
    """

    key_encrypted = models.TextField(default=_new_encrypted_key, editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "TOTP device"

    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    @property
    def bin_key(self) -> bytes:
        """The secret as bytes (raises `crypto.SecretUndecryptable` when its key is gone)."""
        return bytes.fromhex(crypto.decrypt(self.key_encrypted))
