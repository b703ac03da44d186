"""What a panel API token may do beyond its member's role: the read-only flag.

The role table and the server scope are the services' business (`panel.services.execution`), so
the API asks exactly the same rules as the browser; this class only adds what is specific to a
token: being one (401 otherwise) and, when read-only, never writing.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, permissions
from rest_framework.request import Request

from panel.accounts.permissions import ActionDenied, require
from panel.core.errors import NotAllowed
from panel.services.context import Actor

from .models import PanelApiToken

__all__ = ["TokenPermission", "actor_for", "require_action"]


def token_of(request: Request) -> PanelApiToken:
    token = getattr(request, "auth", None)
    if not isinstance(token, PanelApiToken):
        raise exceptions.NotAuthenticated()
    return token


def actor_for(request: Request) -> Actor:
    """The services' `Actor`: the token's member as they are now, named by the token in the audit log."""
    token = token_of(request)
    return Actor(token.membership, request=request._request, api_token_label=token.audit_label)


def require_action(request: Request, action: str) -> None:
    """The role table for a panel action (team, members, audit...): `NotAllowed` (403) with why."""
    try:
        require(token_of(request).membership, action)
    except ActionDenied as exc:
        raise NotAllowed(str(exc)) from None


class TokenPermission(permissions.BasePermission):
    """A panel API token is required; a read-only one may not write.

    A view says whether a request writes through `is_write(request)` (the generic service views
    use the operation's classification, so price quotes and downloads stay reads); otherwise any
    method but GET/HEAD/OPTIONS writes.
    """

    message = "A read-only panel API token cannot make changes."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = token_of(request)
        if not token.read_only:
            return True
        is_write = getattr(view, "is_write", None)
        writes = is_write(request) if callable(is_write) else request.method not in permissions.SAFE_METHODS
        if writes:
            raise NotAllowed(
                f"The panel API token “{token.label}” is read-only: it cannot make changes. "
                "Create a read-write token on Team → API tokens.",
                code="token_read_only",
            )
        return True
