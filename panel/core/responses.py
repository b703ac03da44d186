"""Rendering of errors for both front doors: an HTML page for people, JSON for API clients."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from panel.core.errors import InvalidInput, PanelError, RateLimitedError

API_PREFIX = "/api/"

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    422: "Please check your input",
    423: "Busy",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Service unavailable",
}


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_body(code: str, message: str, fields: dict | None = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def render_error(
    request: HttpRequest | None,
    *,
    status: int,
    code: str,
    message: str,
    fields: dict | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """One error response; the page uses a standalone template that needs no database."""
    if request is not None and wants_json(request):
        response: HttpResponse = JsonResponse(error_body(code, message, fields), status=status)
    else:
        html = render_to_string(
            "errors/error.html",
            {
                "status": status,
                "title": TITLES.get(status, "Error"),
                "message": message,
                "fields": fields or {},
                "request_id": getattr(request, "request_id", None),
            },
        )
        response = HttpResponse(html, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


API_MESSAGES = {
    400: ("bad_request", "The request could not be understood."),
    403: ("not_allowed", "You are not allowed to do this."),
    404: ("not_found", "This page does not exist, or you do not have access to it."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "This endpoint answers in JSON; ask for application/json."),
}


def api_error_response(original: HttpResponse) -> JsonResponse:
    """The JSON error body in place of a non-JSON client error under /api/ (same status, `Allow`)."""
    status = original.status_code
    code, message = API_MESSAGES.get(status, ("error", original.reason_phrase or "Error"))
    response = JsonResponse(error_body(code, message), status=status)
    for name in ("Allow", "Retry-After", "Vary"):
        if name in original:
            response[name] = original[name]
    return response


def render_panel_error(request: HttpRequest, error: PanelError) -> HttpResponse:
    location = getattr(error, "location", "")  # held for approval: the person follows it on its page
    if location and error.status == 202 and not wants_json(request):
        from django.contrib import messages
        from django.http import HttpResponseRedirect

        messages.info(request, error.message)
        return HttpResponseRedirect(location)
    headers = {}
    if isinstance(error, RateLimitedError) and error.retry_after:
        headers["Retry-After"] = str(int(error.retry_after))
    if wants_json(request):
        response = JsonResponse(error.as_dict(), status=error.status)
        if getattr(error, "api_location", ""):
            headers["Location"] = error.api_location  # type: ignore[attr-defined]
        for name, value in headers.items():
            response[name] = value
        return response
    fields = error.fields if isinstance(error, InvalidInput) else None
    return render_error(
        request, status=error.status, code=error.code, message=error.message, fields=fields, headers=headers
    )
