"""Short-lived cache of VPSBG reads, dropped by writes (Django's cache: Redis or local memory).

Keys are `(account, operationId, parameters)` plus version counters, so invalidation is a
counter bump and never a key scan (works the same on Redis and local memory):

- every read of an account depends on the account's version; a read of one object (a server, an
  order...) also depends on that object's version; a read of a list or of account-wide data
  (balance, orders, plans) depends on the account's "lists" version;
- a write to one object bumps that object's version and the account's "lists" version (its
  state shows in lists); a write without a single target (a payment, a deposit, a purchase)
  bumps the account's version, dropping everything cached for that account.

So a reinstall of server A drops A's reads and the account's lists, not server B's metrics.
Secrets (`user_2fa_get_secret`) and downloads are never cached (the executor decides).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache

__all__ = ["MISS", "bump", "get", "key_for", "set", "ttl"]

PREFIX = "svc:v1"
MISS = object()


def ttl() -> float:
    """Seconds a read stays cached (`PANEL_SERVICES_CACHE_TTL`, default 15; 0 turns caching off)."""
    return float(getattr(settings, "PANEL_SERVICES_CACHE_TTL", 15))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def _version_keys(account_id: str, resource: str | None) -> list[str]:
    account = _digest(account_id)
    keys = [f"{PREFIX}:ver:{account}", f"{PREFIX}:ver:{account}:" + (resource or "lists")]
    return keys


def key_for(account_id: str, operation_id: str, params: dict[str, Any], resource: str | None) -> str:
    """The cache key of one read, including the current versions it depends on."""
    version_keys = _version_keys(account_id, resource)
    versions = cache.get_many(version_keys)
    stamp = ".".join(str(versions.get(k, 0)) for k in version_keys)
    body = json.dumps(params, sort_keys=True, default=str)
    return f"{PREFIX}:{_digest(account_id)}:{operation_id}:{_digest(body)}:{stamp}"


def get(key: str) -> Any:
    return cache.get(key, MISS)


def set(key: str, value: Any) -> None:
    seconds = ttl()
    if seconds > 0:
        cache.set(key, value, seconds)


def _incr(key: str) -> None:
    # Versions outlive the cached reads by far; `add` then `incr` is atomic on Redis and locmem.
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


def bump(account_id: str, resource: str | None) -> None:
    """Drop cached reads after a write: of `resource` and the lists, or (None) the whole account."""
    account_key, resource_key = _version_keys(account_id, resource)
    if resource is None:
        _incr(account_key)
        return
    _incr(resource_key)
    _incr(_version_keys(account_id, None)[1])  # the account's lists
