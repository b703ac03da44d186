"""Short-lived cache of VPSBG reads, dropped by writes (Django's cache: Redis or local memory).

Keys are `(account, reader, operationId, parameters)` plus version counters, so invalidation is
a counter bump and never a key scan (works the same on Redis and local memory). The reader is the
token's secret fingerprint: two teams share a cached read only when they read with the same
secret, i.e. the same VPSBG account for certain, never because their account ids look alike (an
id is the account's e-mail, which can move from one VPSBG account to another):

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
live objects of its recent reads in a small LRU in front of it. A page of a list is stored as
the very JSON VPSBG sent (`Page.raw`), not encoded again from its models: encoding costs about
as much as validating, and on a cold team-wide list it ran on the same GIL as the other
accounts' validation (~0.6 ms per page of 50 servers). A page whose JSON has a key that looks
secret (password, secret, token, private key) is encoded from its models instead, so the
shared cache never holds a field the models leave out. Both are looked up by the same
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


def key_for(
    account_id: str, operation_id: str, params: dict[str, Any], resource: str | None, *, reader: str
) -> str:
    """The cache key of one read, including the current versions it depends on.

    `reader` is who may share the answer (see the module docstring); the versions stay per account
    id, so a write drops every reader's copy.
    """
    version_keys = _version_keys(account_id, resource)
    versions = cache.get_many(version_keys)
    stamp = ".".join(str(versions.get(k, 0)) for k in version_keys)
    body = json.dumps(params, sort_keys=True, default=str)
    return f"{PREFIX}:{_digest(account_id)}:{_digest(reader)}:{operation_id}:{_digest(body)}:{stamp}"


# -- the shared level stores JSON --------------------------------------------------------------------
@memoize
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


# Words whose presence in a JSON answer stops it being stored as it came (see the module
# docstring); written without their first letter so "Password" matches too. A match in a value
# (a hostname with "token" in it) only costs the encoding: the safe side.
_SECRET_WORDS = (b"assword", b"ecret", b"oken", b"rivate_key")


def _may_hold_secret(raw: bytes) -> bool:
    """True when `raw` may carry a secret (four substring searches: ~0.2 ms for 80 KB, a third of
    what encoding the page's models cost)."""
    return any(word in raw for word in _SECRET_WORDS)


def _page_model(page: Page[Any]) -> type[BaseModel] | None:
    """The one model class of every item of `page` (None when empty, mixed or not models)."""
    if not page.items or not isinstance(page.items[0], BaseModel):
        return None
    model = type(page.items[0])
    return model if all(type(item) is model for item in page.items) else None


def _encode(value: Any) -> tuple[Any, ...]:
    if isinstance(value, BaseModel):
        return ("model", type(value), value.model_dump_json(by_alias=True))
    if isinstance(value, Page):
        model = _page_model(value)
        if model is not None and value.raw is not None and not _may_hold_secret(value.raw):
            return ("page-json", model, value.raw)
        if model is not None:
            items = _list_adapter(model).dump_json(value.items, by_alias=True)
            return ("page", model, items, value.meta, value.links)
        return ("raw", _without_raw(value))
    if isinstance(value, list) and value and all(isinstance(page, Page) for page in value):
        return ("pages", [_encode(page) for page in value])
    return ("raw", value)


def _without_raw(value: Any) -> Any:
    """`value` without the JSON a page was read from (the live copy needs only the objects)."""
    if isinstance(value, Page) and value.raw is not None:
        return Page(items=value.items, meta=value.meta, links=value.links)
    if isinstance(value, list) and any(isinstance(page, Page) and page.raw is not None for page in value):
        return [_without_raw(page) for page in value]
    return value


def _decode(stored: Any) -> Any:
    if not isinstance(stored, tuple) or not stored:
        return MISS
    kind = stored[0]
    if kind == "model":
        return stored[1].model_validate_json(stored[2])
    if kind == "page-json":
        page = Page.from_json(stored[1], stored[2])
        return _without_raw(page)
    if kind == "page":
        _, model, items, meta, links = stored
        return Page(items=_list_adapter(model).validate_json(items), meta=meta, links=links)
    if kind == "pages":
        pages = [_decode(part) for part in stored[1]]
        return MISS if any(page is MISS for page in pages) else pages
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


# A read that shows something mid-change (a server VPSBG has locked for a power action, a
# reinstall, a deploy still processing) is kept this long at most: pages that poll for the end of
# the change must see it end, not a copy of "busy" for the whole TTL.
TRANSIENT_TTL = 2.0
_TRANSIENT_STATUSES = frozenset({"processing"})


def _items(value: Any) -> list[Any]:
    if isinstance(value, Page):
        return value.items
    if isinstance(value, list) and value and all(isinstance(page, Page) for page in value):
        return [item for page in value for item in page.items]
    return [value]


def _in_transition(value: Any) -> bool:
    return any(
        getattr(item, "locked", None) is True or getattr(item, "status", None) in _TRANSIENT_STATUSES
        for item in _items(value)
    )


def seconds_for(value: Any) -> float:
    """How long `value` may be cached: the TTL, or at most `TRANSIENT_TTL` while it shows a change."""
    seconds = ttl()
    return min(seconds, TRANSIENT_TTL) if seconds > 0 and _in_transition(value) else seconds


def set(key: str, value: Any) -> None:
    seconds = seconds_for(value)
    if seconds <= 0:
        return
    cache.set(key, _encode(value), seconds)
    _remember(key, _without_raw(value), time.monotonic() + seconds)


def set_many(values: dict[str, Any]) -> None:
    """`set` for several reads in one write to the shared cache (one Redis round trip)."""
    seconds = ttl()
    if seconds <= 0 or not values:
        return
    steady = {key: value for key, value in values.items() if seconds_for(value) == seconds}
    for key, value in values.items():
        if key not in steady:
            set(key, value)
    if steady:
        cache.set_many({key: _encode(value) for key, value in steady.items()}, seconds)
    expires = time.monotonic() + seconds
    for key, value in steady.items():
        _remember(key, _without_raw(value), expires)


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
