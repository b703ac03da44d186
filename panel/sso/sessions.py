"""Session state of a provider sign-in: its proven second factor, and every session's maximum age.

A person removed at the provider cannot start a new sign-in, but a session already open would
live on; `SESSION_MAX_AGE` bounds that: every session ends that long after its sign-in, however
busy it is, so the next sign-in (and the provider's verdict) comes within that time.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SIGNED_IN_AT = "signed_in_at"
PROVIDER_MFA = "sso_provider_mfa"  # the user id whose second factor the provider proved


@receiver(user_logged_in, dispatch_uid="sso-signed-in-at")
def _stamp(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


def trust_provider_mfa(request: HttpRequest) -> None:
    """The provider proved a second factor: this session counts as verified (no panel TOTP asked)."""
    request.session[PROVIDER_MFA] = request.user.pk
    request.user.is_verified = lambda: True  # type: ignore[union-attr]


class ProviderSessionMiddleware:
    """After django-otp's OTPMiddleware: ends sessions past `SESSION_MAX_AGE`, and marks the
    sessions whose second factor the provider proved as verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            now = int(time.time())
            if not isinstance(started, int):
                request.session[SIGNED_IN_AT] = now  # a session from before this rule: its clock starts now
            elif now - started > settings.SESSION_MAX_AGE:
                logout(request)
                messages.info(request, "Your session has ended; please sign in again.")
                return redirect(settings.LOGIN_URL)
            if request.session.get(PROVIDER_MFA) == user.pk:
                user.is_verified = lambda: True  # type: ignore[attr-defined]  # as django-otp does
        return self.get_response(request)
