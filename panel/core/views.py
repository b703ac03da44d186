"""Health endpoints and the error handlers (friendly pages, never a stack trace)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from panel.core import health
from panel.core.responses import render_error


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when database, cache, broker and a recent worker heartbeat are all fine."""
    ok, results = health.run_checks()
    return JsonResponse({"status": "ok" if ok else "fail", "checks": results}, status=200 if ok else 503)


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Used by container health checks of the web service."""
    return JsonResponse({"status": "ok"})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; point them at the static icon."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("favicon.svg"), permanent=True)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(
        request,
        status=400,
        code="bad_request",
        message="The request could not be understood. Please go back and try again.",
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(
        request, status=403, code="not_allowed", message="You are not allowed to see this page."
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(
        request,
        status=404,
        code="not_found",
        message="This page does not exist, or you do not have access to it.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render_error(
        request,
        status=500,
        code="server_error",
        message="Something went wrong on our side. It has been logged; please try again.",
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render_error(
        request,
        status=403,
        code="csrf_failed",
        message="Your session form expired. Reload the page and try again.",
    )


def home(request: HttpRequest) -> HttpResponse:
    """The front page: the dashboard once it exists, else a short welcome; sign-in first."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect, render
    from django.urls import NoReverseMatch, reverse

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        return redirect(reverse("web:dashboard"))
    except NoReverseMatch:
        return render(request, "core/home.html")
