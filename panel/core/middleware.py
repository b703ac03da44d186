"""Request-scoped middleware: the request id and log line, and rendering of panel errors."""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog
from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from panel.core.errors import PanelError
from panel.core.logs import mask_secret_paths
from panel.core.request_id import bind_request_id, clean_request_id, clear_request_id
from panel.core.responses import api_error_response, render_panel_error, wants_json

logger = structlog.get_logger("panel.request")


class RequestIdMiddleware:
    """Bind a request id to every log line of the request and return it as `X-Request-ID`.

    Runs first, so even a redirect by SecurityMiddleware carries the id. Logs one line per request
    with method, path, status and duration (never the query string: it may hold secrets; the
    secret segments of invitation and password-reset links are masked).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        header = getattr(settings, "REQUEST_ID_HEADER", "")
        self.meta_key = "HTTP_" + header.upper().replace("-", "_") if header else ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = clean_request_id(request.META.get(self.meta_key) if self.meta_key else None)
        request.request_id = request_id  # type: ignore[attr-defined]
        bind_request_id(request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        logger.info(
            "request",
            method=request.method,
            path=mask_secret_paths(request.path),
            status=response.status_code,
            duration_ms=round((time.monotonic() - started) * 1000, 1),
            user_id=getattr(user, "pk", None),
        )
        # The id stays bound until `request_finished` (below): Django logs 4xx/5xx responses after
        # the middleware returns, and those lines must carry it too.
        return response


@receiver(request_finished, dispatch_uid="panel.core.request_id.finished")
def _unbind_request_id(**_: object) -> None:
    clear_request_id()


class PanelErrorMiddleware:
    """Render an uncaught `PanelError` as a page with its status (JSON under /api/), not a 500.

    Under /api/ a client error answered by something other than our handlers (Django's DEBUG 404
    page, a 405 from a view that renders HTML or YAML) gets the one JSON error body too, so an API
    client parses the same shape in every mode.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            wants_json(request)
            and 400 <= response.status_code < 500
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return api_error_response(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PanelError):
            return None
        logger.info("panel_error", code=exception.code, status=exception.status, error=exception.message)
        return render_panel_error(request, exception)
