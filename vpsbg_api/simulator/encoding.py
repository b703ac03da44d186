"""Turning replies into bytes fast: the JSON encoder, and the opt-in cache of rendered servers.

The simulator stands in for an upstream that answers in a few milliseconds; its own CPU time must
not dominate what a benchmark of the panel measures. Encoding with pydantic-core instead of `json`
is always on (same JSON text, non-ASCII sent as UTF-8). Caching rendered servers is opt-in
(``Simulator(cache_renders=True)``, ``--cache-renders``) because it is only right when the state
changes through the API: every write over HTTP, and every long action that completes, starts a
new state generation that drops the cache; a test that edits ``sim.state`` in Python directly must
call ``sim.render_cache.clear()`` (or leave the cache off, the default).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pydantic_core

if TYPE_CHECKING:
    from .state import State

__all__ = ["RenderCache", "encode_json", "splice_data"]

NOISE_SECONDS = 300  # the metrics noise in a server's `state` changes every 5 minutes (domain.py)
_EMPTY_DATA = b'{"data":[]'


def encode_json(body: Any) -> bytes:
    """Compact JSON of a reply body; `json` decides for a value pydantic-core refuses, so a body
    encodes as it always did or fails as it always did."""
    try:
        return pydantic_core.to_json(body)
    except pydantic_core.PydanticSerializationError:
        return json.dumps(body, separators=(",", ":")).encode()


def splice_data(envelope: dict[str, Any], items: list[bytes]) -> bytes:
    """``{"data": [...], ...}`` with already-encoded items (``data`` must be the first key)."""
    head = encode_json({**envelope, "data": []})
    if not head.startswith(_EMPTY_DATA):  # pragma: no cover - paginate() always puts data first
        raise ValueError("splice_data needs 'data' as the first key of the envelope")
    return b'{"data":[' + b",".join(items) + b"]" + head[len(_EMPTY_DATA) :]


class RenderCache:
    """Encoded JSON of rendered servers, each valid for one state generation and noise window.

    A server with a long action pending is never cached: its rendering depends on the clock
    (``is_running``, the action completing). Reads happen under the simulator's lock.
    """

    def __init__(self) -> None:
        self._servers: dict[Any, tuple[tuple[int, int], bytes]] = {}

    def clear(self) -> None:
        self._servers.clear()

    def server(self, state: State, server: dict[str, Any], now: float) -> bytes:
        from .domain import render_server, settle_server

        settle_server(state, server, now)  # may start a new generation: key taken after it
        if server.get("_pending"):
            return encode_json(render_server(state, server, now))
        key = (state.generation, int(now // NOISE_SECONDS))
        hit = self._servers.get(server["id"])
        if hit is not None and hit[0] == key:
            return hit[1]
        if len(self._servers) > 100_000:  # old generations pile up otherwise
            self._servers.clear()
        data = encode_json(render_server(state, server, now))
        self._servers[server["id"]] = (key, data)
        return data
