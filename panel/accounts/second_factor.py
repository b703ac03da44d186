"""When a person must present a second factor, and how a token is checked.

A second factor is needed when the person has a confirmed TOTP device, or when any team they belong
to requires it (then, without a device, they must enroll before anything else).
"""
from __future__ import annotations

import re

from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership, User

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
_CACHE_ATTR = "_accounts_needs_second_factor"


def has_confirmed_device(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def team_requires_second_factor(user: User) -> bool:
    return Membership.objects.filter(user=user, team__require_2fa=True).exists()


def needs_second_factor(request: HttpRequest) -> bool:
    """True when the signed-in person must verify a second factor in this session (cached per request)."""
    user = request.user
    if not user.is_authenticated:
        return False
    if getattr(user, "is_verified", lambda: False)():
        return False
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        cached = has_confirmed_device(user) or team_requires_second_factor(user)
        setattr(request, _CACHE_ATTR, cached)
    return cached


def verify(request: HttpRequest, token: str) -> Device | None:
    """Check a TOTP code or a recovery code; on success mark the session verified and rotate its key.

    Each device is checked on its own (django-otp's throttling applies per device); a recovery code
    is deleted when used, so it works once.
    """
    user = request.user
    token = re.sub(r"[\s-]", "", token or "").lower()
    if not token or len(token) > 16:
        return None
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kind) and device.verify_token(token):
                request.session.cycle_key()  # privilege changed: new session id
                otp_login(request, device)
                return device
    return None


def issue_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with a fresh set; returned once, for showing once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (kept across reloads so the QR code stays the same)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_totp_device(request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm enrollment with a code from the app; returns fresh recovery codes, or None if wrong."""
    token = re.sub(r"\s", "", token or "")
    if not (token.isdigit() and len(token) == 6):
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        codes = issue_recovery_codes(device.user)
    request.session.cycle_key()
    otp_login(request, device)
    return codes


def disable_second_factor(user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
