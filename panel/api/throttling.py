"""Requests per panel API token (`PANEL_API_THROTTLE_RATE`), read at request time so tests can change it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import PanelApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "panel_api_token"

    def get_rate(self) -> str | None:
        return getattr(settings, "PANEL_API_THROTTLE_RATE", "600/minute") or None

    def allow_request(self, request: Any, view: Any) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, PanelApiToken):
            return None  # unauthenticated requests are refused before doing any work
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
