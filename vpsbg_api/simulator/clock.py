"""An injectable time source, so tests move time forward instead of sleeping."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """Wall-clock time plus an offset that ``advance`` grows; ``freeze`` pins it."""

    def __init__(self, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen: float | None = start

    def now(self) -> float:
        with self._lock:
            base = self._frozen if self._frozen is not None else time.time()
            return base + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def freeze(self, at: float | None = None) -> None:
        with self._lock:
            self._frozen = at if at is not None else time.time()
            self._offset = 0.0


def iso(ts: float) -> str:
    """The API's timestamp format: ISO 8601 with microseconds and a Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def plain(ts: float) -> str:
    """The 'YYYY-MM-DD HH:MM:SS' format the reference shows for addon dates."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


def parse_iso(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
