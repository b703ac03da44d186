"""DRF exception handler: every API error in one shape, `{"error": {"code", "message", "fields"}}`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.response import Response

from panel.core.errors import Busy, PanelError, RateLimitedError


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [str(item) if not isinstance(item, dict | list) else _flatten(item) for item in detail]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, PanelError):
        headers = {}
        if isinstance(exc, RateLimitedError) and exc.retry_after:
            headers["Retry-After"] = str(int(exc.retry_after))
        body = exc.as_dict()
        location = getattr(exc, "api_location", "")  # a request held for approval: 202 and where it waits
        if location:
            headers["Location"] = location
        if isinstance(exc, Busy) and exc.operation_id is not None:  # the operation to poll instead
            url = reverse("api:operation_detail", kwargs={"pk": exc.operation_id})
            body["error"]["operation"]["url"] = url  # type: ignore[index]
        return Response(body, status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's 500 handler answers (JSON under /api/)
    headers = {}
    wait = getattr(exc, "wait", None)  # a throttle's seconds to wait
    if wait:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = _flatten(detail) if isinstance(detail, dict) else {"non_field_errors": _flatten(detail)}
        body = {"error": {"code": "invalid", "message": "Please correct the errors.", "fields": fields}}
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        body = {"error": {"code": code, "message": str(exc.detail), "fields": {}}}
    return Response(body, status=exc.status_code, headers=headers)
