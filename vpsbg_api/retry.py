"""When and how long the client waits before trying a call again.

The policy is a value object so tests inject `sleep`, `rand` and `now` and never wait for real.
What is retried (GETs on 429/502/503/504 and dropped connections; writes only when the
connection was never made) is decided by `Client`; this module only does the arithmetic.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "parse_retry_after"]


@dataclass(frozen=True)
class RetryPolicy:
    """Capped, jittered exponential backoff that honours `Retry-After` up to a ceiling.

    max_attempts: total tries of one call, the first included (1 = never retry).
    base, cap:    the n-th wait is `min(cap, base * 2**(n-1))`, then scaled by a random factor
                  in [0.5, 1) ("equal jitter") so that many clients do not retry in step.
    ceiling:      the longest `Retry-After` the client is willing to sleep through; a longer
                  one raises `RateLimited(retry_after=...)` at once so the caller can reschedule
                  the work instead of holding a worker.
    budget:       seconds one call may spend before its last try starts (None = no bound): a
                  retry is made only while the time spent plus the wait stays under it, so a
                  call that hung for a whole read timeout is not tried again while a person waits.
    """

    max_attempts: int = 3
    base: float = 0.5
    cap: float = 8.0
    ceiling: float = 30.0
    budget: float | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    rand: Callable[[], float] = field(default=random.random, repr=False)
    now: Callable[[], float] = field(default=time.time, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if self.base < 0 or self.cap < 0 or self.ceiling < 0:
            raise ValueError("RetryPolicy.base, cap and ceiling must not be negative")
        if self.budget is not None and self.budget < 0:
            raise ValueError("RetryPolicy.budget must not be negative")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt` (1-based) when no Retry-After came."""
        delay = min(self.cap, self.base * (2 ** max(attempt - 1, 0)))
        return delay * (0.5 + self.rand() / 2)

    def allows(self, attempt: int, spent: float, wait: float) -> bool:
        """Whether try number `attempt` (1-based, just failed) may be followed by another one
        after `wait` seconds, `spent` seconds into the call."""
        if attempt >= self.max_attempts:
            return False
        return self.budget is None or spent + wait < self.budget

    def retry_after(self, header: str | None) -> float | None:
        """The wait a `Retry-After` header asks for, in seconds, or None if absent or unreadable."""
        return parse_retry_after(header, now=self.now())


NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(header: str | None, *, now: float | None = None) -> float | None:
    """Read `Retry-After` as delta-seconds or as an HTTP date; never negative."""
    if header is None:
        return None
    value = header.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT; be lenient with a missing zone
        from datetime import UTC

        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
