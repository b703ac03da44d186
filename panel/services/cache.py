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

Two levels: the shared Django cache holds the answer as JSON (pydantic models re-validated on
the way out: unpickling a thousand models costs ~80 ms, JSON a few), and each process keeps the
live objects of its recent reads in a small LRU in front of it. Both are looked up by the same
versioned key, and the versions always come from the shared cache, so a write in any process
is seen by every process at its next read. Results are shared between callers: treat them as
read-only.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from functools import cache as memoize
from typing import Any

from django.conf import settings
from django.core.cache import cache
from pydantic import BaseModel, TypeAdapter

from vpsbg_api.results import Page

__all__ = ["MISS", "bump", "clear_local", "get", "key_for", "set", "set_many", "ttl"]

PREFIX = "svc:v1"
MISS = object()
LOCAL_MAX_ENTRIES = 512

_local: OrderedDict[str, tuple[float, Any]] = OrderedDict()
_local_lock = threading.Lock()


def ttl() -> float:
    """Seconds a read stays cached (`PANEL_SERVICES_CACHE_TTL`, default 15; 0 turns caching off)."""
    return float(getattr(settings, "PANEL_SERVICES_CACHE_TTL", 15))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def _version_keys(account_id: str, resource: str | None) -> list[str]:
    account = _digest(account_id)
    return [f"{PREFIX}:ver:{account}", f"{PREFIX}:ver:{account}:" + (resource or "lists")]


def key_for(account_id: str, operation_id: str, params: dict[str, Any], resource: str | None) -> str:
    """The cache key of one read, including the current versions it depends on."""
    version_keys = _version_keys(account_id, resource)
    versions = cache.get_many(version_keys)
    stamp = ".".join(str(versions.get(k, 0)) for k in version_keys)
    body = json.dumps(params, sort_keys=True, default=str)
    return f"{PREFIX}:{_digest(account_id)}:{operation_id}:{_digest(body)}:{stamp}"


# -- the shared level stores JSON --------------------------------------------------------------------
@memoize
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _encode(value: Any) -> tuple[Any, ...]:
    if isinstance(value, BaseModel):
        return ("model", type(value), value.model_dump_json(by_alias=True))
    if isinstance(value, Page) and value.items and isinstance(value.items[0], BaseModel):
        model = type(value.items[0])
        if all(type(item) is model for item in value.items):
            items = _list_adapter(model).dump_json(value.items, by_alias=True)
            return ("page", model, items, value.meta, value.links)
    return ("raw", value)


def _decode(stored: Any) -> Any:
    if not isinstance(stored, tuple) or not stored:
        return MISS
    kind = stored[0]
    if kind == "model":
        return stored[1].model_validate_json(stored[2])
    if kind == "page":
        _, model, items, meta, links = stored
        return Page(items=_list_adapter(model).validate_json(items), meta=meta, links=links)
    if kind == "raw":
        return stored[1]
    return MISS


# -- the two levels -----------------------------------------------------------------------------------
def clear_local() -> None:
    """Forget this process's live copies (tests; the shared level is `cache.clear()`)."""
    with _local_lock:
        _local.clear()


def get(key: str) -> Any:
    now = time.monotonic()
    with _local_lock:
        hit = _local.get(key)
        if hit is not None:
            if hit[0] > now:
                _local.move_to_end(key)
                return hit[1]
            del _local[key]
    stored = cache.get(key, MISS)
    if stored is MISS:
        return MISS
    try:
        value = _decode(stored)
    except ValueError:  # the model changed shape since it was stored: read upstream again
        return MISS
    if value is not MISS:
        _remember(key, value, now + ttl())
    return value


def _remember(key: str, value: Any, expires: float) -> None:
    with _local_lock:
        _local[key] = (expires, value)
        _local.move_to_end(key)
        while len(_local) > LOCAL_MAX_ENTRIES:
            _local.popitem(last=False)


def set(key: str, value: Any) -> None:
    seconds = ttl()
    if seconds <= 0:
        return
    cache.set(key, _encode(value), seconds)
    _remember(key, value, time.monotonic() + seconds)


def set_many(values: dict[str, Any]) -> None:
    """`set` for several reads in one write to the shared cache (one Redis round trip)."""
    seconds = ttl()
    if seconds <= 0 or not values:
        return
    cache.set_many({key: _encode(value) for key, value in values.items()}, seconds)
    expires = time.monotonic() + seconds
    for key, value in values.items():
        _remember(key, value, expires)


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
