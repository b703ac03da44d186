"""The configured identity providers and their discovery documents.

mozilla-django-oidc wants each endpoint spelled out; we read them from the issuer's
`/.well-known/openid-configuration` instead (so only the issuer is configured), check that the
document names the same issuer (OpenID Connect Discovery §4.3: a document for another issuer is
refused), and cache it for an hour, so a sign-in costs no extra round trip.
"""
from __future__ import annotations

import hashlib
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

from .config import ProviderConfig

DISCOVERY_TTL = 60 * 60
REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read or is unusable; the message says which."""


def configured() -> dict[str, ProviderConfig]:
    return dict(getattr(settings, "OIDC_PROVIDERS", {}) or {})


def get(key: str) -> ProviderConfig | None:
    return configured().get((key or "").strip().lower())


def choices() -> list[tuple[str, str]]:
    return [(key, provider.name) for key, provider in configured().items()]


def _cache_key(provider: ProviderConfig) -> str:
    return "sso:discovery:" + hashlib.sha256(provider.issuer.encode()).hexdigest()[:32]


def discover(provider: ProviderConfig) -> dict[str, Any]:
    """The provider's endpoints and capabilities; `ProviderUnavailable` when they cannot be had."""
    document = cache.get(_cache_key(provider))
    if document is not None:
        return document
    url = f"{provider.issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{provider.name} does not answer ({type(error).__name__}).") from None
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != provider.issuer:
        raise ProviderUnavailable(f"{provider.name}'s discovery document names another issuer.")
    missing = [name for name in REQUIRED if not isinstance(document.get(name), str)]
    if missing:
        raise ProviderUnavailable(f"{provider.name}'s discovery document lacks {', '.join(missing)}.")
    cache.set(_cache_key(provider), document, DISCOVERY_TTL)
    return document
