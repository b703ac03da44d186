"""The API's exception handler: the panel's one error body, plus what DRF's default would add."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from panel.core.api_errors import exception_handler as panel_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """`{"error": {"code", "message", "fields"}}`, with `WWW-Authenticate` on a 401 (RFC 9110)."""
    response = panel_exception_handler(exc, context)
    auth_header = getattr(exc, "auth_header", None)
    if response is not None and auth_header:
        response["WWW-Authenticate"] = auth_header
    return response
