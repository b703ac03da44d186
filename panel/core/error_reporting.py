"""Optional error reporting to Sentry (or a compatible server) when `SENTRY_DSN` is set.

What leaves the panel is an exception's type, message and stack (no local variables), the route
pattern of the request (not its path: paths hold invitation and reset tokens), a few harmless
headers and the request id. Request bodies, cookies, query strings, the Authorization header and
user details are dropped before sending, and every remaining text goes through the same redaction
as the logs (`token=…`, `Bearer …`, values under secret-looking keys).
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.transport import Transport

from panel.core.logs import redact_secrets

__all__ = ["init_error_reporting", "scrub_event"]

KEPT_HEADERS = frozenset({"accept", "content-length", "content-type", "user-agent", "x-request-id"})


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """`before_send`: strip the request down and redact secrets anywhere in the event."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
        route = event.get("transaction")
        if isinstance(route, str) and route.startswith("/"):
            request["url"] = route
        else:
            request.pop("url", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict) and logentry.get("params"):
        # Format the log line here so the redaction sees "Bearer <secret>", then drop the raw params.
        message = str(logentry.get("message", ""))
        try:
            message = message % tuple(logentry["params"])
        except (TypeError, ValueError):
            pass
        logentry.pop("params")
        logentry["message"] = logentry["formatted"] = message
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    return dict(redact_secrets(None, "sentry", event))


def init_error_reporting(
    dsn: str, *, environment: str = "", release: str = "", transport: Transport | None = None
) -> None:
    """Start the SDK for Django and Celery; `transport` replaces the network sender (tests).

    The SDK's own default already leaves user details out; `scrub_event` enforces it anyway.
    """
    options: dict[str, Any] = {}
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(transaction_style="url"), CeleryIntegration()],
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=scrub_event,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
        **options,
    )
