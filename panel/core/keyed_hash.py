"""Keyed hashes (HMAC-SHA256) under keys that live outside the database.

Whoever can write the database but not read the environment cannot compute them: that is what
lets the audit chain (`AUDIT_HMAC_KEYS`) resist a rewrite, and what lets the vault recognise a
token secret it already holds (`VAULT_FINGERPRINT_KEYS`) without storing anything that could be
checked against a guessed secret offline.

Each setting is a list of keys, newest first: the first one makes new digests, all of them are
accepted when checking (so a key can be rotated without a flag day). A key is named by its
`key_id`, a short digest of the key itself: stored beside a digest, it says which key to use.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["digest", "key_id", "keys"]


def keys(setting: str) -> list[str]:
    """The keys of `setting`, newest first (ImproperlyConfigured when there is none)."""
    value = getattr(settings, setting, None) or []
    if isinstance(value, str):
        value = value.split(",")
    found = [str(key).strip() for key in value if str(key).strip()]
    if not found:
        raise ImproperlyConfigured(f"{setting} is empty: set at least one key (32+ random characters).")
    return found


def digest(key: str, data: bytes) -> str:
    """HMAC-SHA256 of `data` under `key`, as 64 hex characters."""
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


def key_id(key: str) -> str:
    """A short public name of `key` (12 hex characters of a hash of it; reveals nothing usable)."""
    return hashlib.sha256(b"panel.key-id:" + key.encode()).hexdigest()[:12]
