"""The panel's error hierarchy: what the service layer raises and the front doors render.

Services translate provider (`vpsbg_api`) errors into these, so a view never shows a stack trace:
`PanelErrorMiddleware` renders any uncaught one as a friendly page (or JSON under `/api/`) with the
status below. `code` is a stable machine-readable name; `message` is safe to show to the user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = [
    "Busy",
    "InvalidInput",
    "NotAllowed",
    "NotFoundError",
    "PanelError",
    "RateLimitedError",
    "UpstreamUnavailable",
]


class PanelError(Exception):
    """Root of every error the panel shows to a user."""

    status: int = 400
    code: str = "error"
    default_message: str = "The request could not be completed."

    def __init__(self, message: str | None = None, *, code: str | None = None, status: int | None = None):
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(self.message)

    def as_dict(self) -> dict[str, object]:
        """The JSON error body: `{"error": {"code", "message", "fields"}}`."""
        return {"error": {"code": self.code, "message": self.message, "fields": {}}}


class NotAllowed(PanelError):
    """The member's role does not allow this action (or the token is read-only)."""

    status = 403
    code = "not_allowed"
    default_message = "You are not allowed to do this."


class NotFoundError(PanelError):
    """The object does not exist, or is outside what the member may see."""

    status = 404
    code = "not_found"
    default_message = "Not found."


class InvalidInput(PanelError):
    """The user's input was refused; `fields` maps field names to messages ("" = whole form)."""

    status = 422
    code = "invalid"
    default_message = "Please correct the errors below."

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: Mapping[str, str | Sequence[str]] | None = None,
        code: str | None = None,
        status: int | None = None,
    ):
        super().__init__(message, code=code, status=status)
        self.fields: dict[str, list[str]] = {
            name: [msgs] if isinstance(msgs, str) else [str(m) for m in msgs]
            for name, msgs in (fields or {}).items()
        }

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["error"]["fields"] = self.fields  # type: ignore[index]
        return body


class Busy(PanelError):
    """The target is locked (an operation is running on it); try again later.

    `operation_id`: the panel operation holding it, when known, so pages can link it and the API
    can return it as data (`{"error": {..., "operation": {"id", "url"}}}`).
    """

    status = 423
    code = "busy"
    default_message = "This server is busy with another operation. Try again in a moment."

    def __init__(self, message: str | None = None, *, operation_id: int | None = None, **kwargs: object):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.operation_id = operation_id

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        if self.operation_id is not None:
            body["error"]["operation"] = {"id": self.operation_id}  # type: ignore[index]
        return body


class RateLimitedError(PanelError):
    """Too many requests, here or upstream; `retry_after` in seconds when known."""

    status = 429
    code = "rate_limited"
    default_message = "Too many requests. Please wait a moment and try again."

    def __init__(self, message: str | None = None, *, retry_after: int | None = None, **kwargs: object):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["error"]["retry_after"] = self.retry_after  # type: ignore[index]
        return body


class UpstreamUnavailable(PanelError):
    """VPSBG could not be reached or failed; nothing the user did wrong."""

    status = 503
    code = "upstream_unavailable"
    default_message = "VPSBG is not answering right now. Please try again in a few minutes."
