"""When a person must present a second factor, and how a token is checked.

A second factor is needed when the person has a confirmed TOTP device, or when any team they belong
to requires it (then, without a device, they must enroll before anything else).
"""
from __future__ import annotations

import base64
import re
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from .models import EncryptedTOTPDevice, Membership, User

RECOVERY_CODE_COUNT = 10
# When the session last proved a second factor (epoch seconds): approving a held request asks
# for one within the last few minutes (step-up, `panel.guardrails.step_up`).
VERIFIED_AT_SESSION_KEY = "second_factor_verified_at"
RECOVERY_DEVICE_NAME = "Recovery codes"
_CACHE_ATTR = "_accounts_needs_second_factor"


def has_confirmed_device(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def team_requires_second_factor(user: User) -> bool:
    return Membership.objects.filter(user=user, team__require_2fa=True).exists()


def is_verified(user: object) -> bool:
    """True when this session verified a second factor (django-otp's middleware, or the provider's
    proven MFA, sets `user.is_verified`)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def needs_second_factor(request: HttpRequest) -> bool:
    """True when the signed-in person must verify a second factor in this session (cached per request)."""
    user = request.user
    if not user.is_authenticated:
        return False
    if is_verified(user):
        return False
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        cached = has_confirmed_device(user) or team_requires_second_factor(user)
        setattr(request, _CACHE_ATTR, cached)
    return cached


def hash_recovery_code(code: str, secret: str | None = None) -> str:
    """What is stored for a recovery code: a keyed hash, so a database dump holds no usable code.

    Keyed with SECRET_KEY (a code has only 40 bits: unkeyed, a dump could be searched in
    minutes); 16 base32 characters (80 bits) fit django-otp's `StaticToken.token` column.
    """
    mac = salted_hmac("panel.accounts.recovery-code", code.lower(), secret=secret, algorithm="sha256")
    return base64.b32encode(mac.digest()).decode()[:16].lower()


def _recovery_code_hashes(code: str) -> list[str]:
    """The code's hash under SECRET_KEY and each of SECRET_KEY_FALLBACKS (codes outlive a rotation)."""
    return [hash_recovery_code(code, key) for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]


def _verify_recovery_code(device: StaticDevice, code: str) -> bool:
    """django-otp's check (throttling, single use) against the stored hash of `code`."""
    hashes = _recovery_code_hashes(code)
    stored = device.token_set.filter(token__in=hashes).values_list("token", flat=True).first()
    return device.verify_token(stored or hashes[0])


def check_code(user: User, token: str) -> Device | None:
    """The device that accepts `token` (a TOTP code or a recovery code), None when none does.

    Each device is checked on its own (django-otp's throttling applies per device); a recovery code
    is deleted when used, so it works once. Used by `verify` (signing in) and by the API's step-up
    (approving a held request with a code in the body: no session there).
    """
    token = re.sub(r"[\s-]", "", token or "").lower()
    if not token or len(token) > 16:
        return None
    kind = EncryptedTOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if not isinstance(device, kind):
                continue
            is_recovery = isinstance(device, StaticDevice)
            if _verify_recovery_code(device, token) if is_recovery else device.verify_token(token):
                return device
    return None


def verify(request: HttpRequest, token: str) -> Device | None:
    """Check a TOTP code or a recovery code; on success mark the session verified and rotate its key."""
    device = check_code(request.user, token) if isinstance(request.user, User) else None
    if device is None:
        return None
    request.session.cycle_key()  # privilege changed: new session id
    otp_login(request, device)
    request.session[VERIFIED_AT_SESSION_KEY] = int(time.time())
    return device


def issue_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with a fresh set; returned once, for showing once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=hash_recovery_code(code)) for code in codes
        )
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_totp_device(user: User) -> EncryptedTOTPDevice:
    """The unconfirmed device being enrolled (kept across reloads so the QR code stays the same)."""
    device = EncryptedTOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = EncryptedTOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_totp_device(request: HttpRequest, device: EncryptedTOTPDevice, token: str) -> list[str] | None:
    """Confirm enrollment with a code from the app; returns fresh recovery codes, or None if wrong."""
    token = re.sub(r"\s", "", token or "")
    if not (token.isdigit() and len(token) == 6):
        return None
    with transaction.atomic():
        device = EncryptedTOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        EncryptedTOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        EncryptedTOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        codes = issue_recovery_codes(device.user)
    request.session.cycle_key()
    otp_login(request, device)
    return codes


def disable_second_factor(user: User) -> None:
    with transaction.atomic():
        EncryptedTOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
