"""Errors raised by the VPSBG client: one class per way a call can fail.

Callers (the panel's services) map these to their own errors, so each class says what the caller
can do about it: fix the input (`ValidationError`), wait (`Locked`, `RateLimited`), try later
(`UpstreamError`, `UpstreamUnavailable`), or fix the token (`AuthenticationError`,
`PermissionDenied`). Every error carries the HTTP `status` (None when no answer came back), the
`operation_id` of the reference and the provider's `message`. None of them ever holds the API
token: messages are redacted before the error is built (see `Client`).
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "Locked",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "UpstreamError",
    "UpstreamUnavailable",
    "ValidationError",
    "VpsbgError",
]


class VpsbgError(Exception):
    """Root of every error the client raises."""

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        operation_id: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.operation_id = operation_id
        self.request_id = request_id

    def __str__(self) -> str:
        where = f"{self.operation_id}: " if self.operation_id else ""
        status = f"HTTP {self.status}: " if self.status is not None else ""
        return f"{where}{status}{self.message}" if self.message else f"{where}{status}{type(self).__name__}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"operation_id={self.operation_id!r})"
        )


class AuthenticationError(VpsbgError):
    """401: the token is missing, wrong, or revoked."""


class PermissionDenied(VpsbgError):
    """403: the token may not do this (typically a read-only token used for a write)."""


class NotFound(VpsbgError):
    """404: the object does not exist, or not on this account."""


class ValidationError(VpsbgError):
    """422: the provider refused the input; `fields` maps each field to its messages."""

    def __init__(
        self,
        message: str = "",
        *,
        fields: dict[str, list[str]] | None = None,
        status: int | None = 422,
        operation_id: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, operation_id=operation_id, request_id=request_id)
        self.fields: dict[str, list[str]] = fields or {}

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, fields={self.fields!r})"


class Locked(VpsbgError):
    """423: the resource is busy with a long operation (a server while it reinstalls, ...)."""


class RateLimited(VpsbgError):
    """429: too many requests; `retry_after` is the wait in seconds the provider asked for."""

    def __init__(
        self,
        message: str = "",
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        operation_id: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, operation_id=operation_id, request_id=request_id)
        self.retry_after = retry_after


class UpstreamError(VpsbgError):
    """5xx, an unexpected status, or an answer that is not the JSON the reference describes."""


class UpstreamUnavailable(VpsbgError):
    """No answer: connection refused, timeout, or the connection dropped mid-call."""
