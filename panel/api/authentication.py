"""`Authorization: Bearer vpp_...`: who a panel API request acts as.

Checked on every request, in this order: a known digest, not revoked, not expired, the client
address in the token's allow-list. The member is loaded fresh each time (role and server scope
as they are now), so a member demoted today is limited today. Any failure is a 401 with one
message that does not say which check failed (a guessing client learns nothing).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from panel.audit.recorder import request_context

from .models import TOKEN_PREFIX, PanelApiToken, hash_token

__all__ = ["PanelTokenAuthentication", "client_ip"]

REFUSED = "Invalid, expired or revoked panel API token, or not allowed from this address."


def client_ip(request: Any) -> str:
    """The client address as the audit log sees it (REMOTE_ADDR, or what a trusted proxy set)."""
    return request_context(getattr(request, "_request", request))["client_ip"]


class PanelTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, PanelApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1", "replace").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2 or not header[1].startswith(TOKEN_PREFIX) or len(header[1]) > 200:
            raise exceptions.AuthenticationFailed(REFUSED)
        token = (
            PanelApiToken.objects.select_related("membership__user", "membership__team")
            .filter(token_hash=hash_token(header[1]))
            .first()
        )
        if token is None or token.is_revoked or token.is_expired:
            raise exceptions.AuthenticationFailed(REFUSED)
        user = token.membership.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(REFUSED)
        ip = client_ip(request)
        if not token.allows_ip(ip):
            raise exceptions.AuthenticationFailed(REFUSED)
        now = timezone.now()
        PanelApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip[:45])
        token.last_used_at, token.last_used_ip = now, ip[:45]
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
