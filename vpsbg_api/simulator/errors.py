"""Errors a handler raises; the HTTP layer turns them into Laravel-style JSON bodies."""

from __future__ import annotations


class ApiError(Exception):
    """An answer other than success: status code, message and optional field errors."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, f"No query results for {what}.")


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, message, {field: [message]})


def locked(what: str = "server") -> ApiError:
    return ApiError(423, f"The {what} is locked at the moment. Try again when the running action ends.")
