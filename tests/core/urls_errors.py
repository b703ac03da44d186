"""URLs for the error tests: views that raise each panel error, on the page side and under /api/."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import Throttled

from panel.core import errors

RAISERS = {
    "not-allowed": lambda: errors.NotAllowed(),
    "not-found": lambda: errors.NotFoundError("No server with this id in your team."),
    "invalid": lambda: errors.InvalidInput(
        fields={"hostname": "Use letters, digits and dashes.", "": ["Bad"]}
    ),
    "busy": lambda: errors.Busy(),
    "rate-limited": lambda: errors.RateLimitedError(retry_after=30),
    "upstream": lambda: errors.UpstreamUnavailable(),
}


def raise_panel_error(request, kind):
    raise RAISERS[kind]()


def crash(request):
    raise RuntimeError("secret internals: token=abc123 at /srv/panel/views.py line 42")


def denied(request):
    raise PermissionDenied


class HostnameSerializer(serializers.Serializer):
    hostname = serializers.CharField(max_length=5)


@api_view(["POST"])
def drf_validate(request):
    HostnameSerializer(data=request.data).is_valid(raise_exception=True)


@api_view(["GET"])
def drf_panel_error(request):
    raise errors.Busy()


@api_view(["GET"])
def drf_throttled(request):
    raise Throttled(wait=12)


urlpatterns = [
    path("raise/<str:kind>/", raise_panel_error),
    path("api/raise/<str:kind>/", raise_panel_error),
    path("crash/", crash),
    path("api/crash/", crash),
    path("denied/", denied),
    path("api/drf/validate/", drf_validate),
    path("api/drf/busy/", drf_panel_error),
    path("api/drf/throttled/", drf_throttled),
    path("", include("panel.urls")),
]

handler400 = "panel.core.views.bad_request"
handler403 = "panel.core.views.permission_denied"
handler404 = "panel.core.views.page_not_found"
handler500 = "panel.core.views.server_error"
