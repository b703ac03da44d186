"""Per-request account state: the second-factor gate and the current team."""
from __future__ import annotations

from collections.abc import Callable
from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .models import Membership
from .requests import PanelRequest
from .second_factor import has_confirmed_device, needs_second_factor

SESSION_TEAM_KEY = "accounts_team_id"

# Pages a person may reach while their second factor is still pending.
_GATE_EXEMPT_NAMES = (
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "accounts:logout",
    "accounts:login",
)


def second_factor_redirect(request: HttpRequest) -> HttpResponse:
    """Send the person to verify (enrolled) or to enroll (a team requires it, no device yet)."""
    name = "accounts:two_factor_verify" if has_confirmed_device(request.user) else "accounts:two_factor_setup"
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    url = reverse(name) + (f"?{query}" if query else "")
    if request.headers.get("HX-Request") == "true":  # HtmxMiddleware runs after this one
        # An htmx fragment request would swap the whole page into a fragment: reload instead.
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


class SecondFactorMiddleware:
    """Nothing but the second-factor pages answers a signed-in person whose second factor is pending.

    Enforced here (not only in view decorators) so Django admin, password change and every future
    page are covered; placed after django-otp's OTPMiddleware, which sets `user.is_verified()`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def _is_exempt(self, path: str) -> bool:
        if self._exempt is None:
            self._exempt = tuple(reverse(name) for name in _GATE_EXEMPT_NAMES)
        static = settings.STATIC_URL or "/static/"
        return path in self._exempt or path.startswith(static) or path.rstrip("/") == "/healthz"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request) and not self._is_exempt(request.path):
            return second_factor_redirect(request)
        return self.get_response(request)


def resolve_membership(request: HttpRequest) -> Membership | None:
    """The membership of the team chosen in the session, else the person's first membership."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user).select_related("team", "user")
    chosen = request.session.get(SESSION_TEAM_KEY)
    membership = None
    if chosen is not None:
        membership = memberships.filter(team_id=chosen).first()
    if membership is None:
        membership = memberships.order_by("created_at", "pk").first()
        if membership is not None:
            request.session[SESSION_TEAM_KEY] = membership.team_id
        else:
            request.session.pop(SESSION_TEAM_KEY, None)
    return membership


def current_membership(request: HttpRequest) -> Membership | None:
    """`request.membership` when the middleware ran, computed otherwise (e.g. in a bare test request)."""
    panel_request = cast(PanelRequest, request)
    if not hasattr(panel_request, "membership"):
        panel_request.membership = resolve_membership(request)
        panel_request.team = panel_request.membership.team if panel_request.membership else None
    return panel_request.membership


class CurrentTeamMiddleware:
    """Sets `request.team` and `request.membership` (None when anonymous or in no team)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = resolve_membership(request)
        panel_request = cast(PanelRequest, request)
        panel_request.membership = membership
        panel_request.team = membership.team if membership else None
        return self.get_response(request)


class TimeZoneMiddleware:
    """Pages show dates and times in the signed-in person's own time zone (their profile)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from django.utils import timezone

        zone = getattr(getattr(request, "user", None), "time_zone", "") or ""
        try:
            timezone.activate(ZoneInfo(zone)) if zone else timezone.deactivate()
        except (ZoneInfoNotFoundError, ValueError):  # a zone since removed from the database
            timezone.deactivate()
        return self.get_response(request)
