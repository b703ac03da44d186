"""OpenAPI pieces drf-spectacular cannot infer: the token scheme, the error body, result models."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .results import COMPONENTS

__all__ = ["ERROR_REF", "ERROR_STATUSES", "PanelTokenScheme", "add_result_components", "error_responses"]

ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Every status the API answers with the one error body (see panel/core/errors.py).
ERROR_STATUSES: dict[int, str] = {
    400: "Invalid request (field errors in `error.fields`).",
    401: "Missing, invalid, expired or revoked panel API token.",
    403: "Your role, the token's read-only flag or VPSBG refused this.",
    404: "No such object, or outside what the token's member may see.",
    409: "No usable VPSBG token, or the Idempotency-Key is still running.",
    422: "VPSBG refused the input, or the Idempotency-Key was used for another request.",
    423: "The server is busy with another operation.",
    429: "Too many requests (this token's limit, or VPSBG's); see Retry-After.",
    502: "VPSBG rejected the team's VPSBG token or answered in an unreadable form.",
    503: "VPSBG is not answering.",
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Field name -> messages (nested for nested fields).",
                },
                "retry_after": {"type": ["integer", "null"]},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}


def error_responses() -> dict[int, Any]:
    from drf_spectacular.utils import OpenApiResponse

    return {
        status: OpenApiResponse(response=ERROR_REF, description=text)
        for status, text in ERROR_STATUSES.items()
    }


class PanelTokenScheme(OpenApiAuthenticationExtension):
    target_class = "panel.api.authentication.PanelTokenAuthentication"
    name = "PanelToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A panel API token (`vpp_...`) from Team → API tokens.",
        }


def add_result_components(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: the pydantic result models and the error body as components."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in COMPONENTS.items():
        schemas.setdefault(name, schema)
    schemas["Error"] = ERROR_SCHEMA
    return result
