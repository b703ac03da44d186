"""Per-token, per-minute request limits with Laravel's throttle headers."""

from __future__ import annotations

import threading
from collections.abc import Callable


class RateLimiter:
    def __init__(self, limit: int | None, now: Callable[[], float]) -> None:
        self.limit = limit
        self._now = now
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def hit(self, key: str) -> tuple[bool, dict[str, str]]:
        """Count one request; return (allowed, headers). No headers when limiting is off."""
        if not self.limit:
            return True, {}
        now = self._now()
        window = int(now // 60)
        with self._lock:
            start, used = self._windows.get(key, (window, 0))
            if start != window:
                start, used = window, 0
            used += 1
            self._windows[key] = (start, used)
        remaining = max(self.limit - used, 0)
        headers = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(remaining)}
        if used > self.limit:
            retry = max(int((window + 1) * 60 - now), 1)
            headers["Retry-After"] = str(retry)
            headers["X-RateLimit-Reset"] = str((window + 1) * 60)
            return False, headers
        return True, headers

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
