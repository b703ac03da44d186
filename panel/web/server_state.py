"""A server's state in one word, from what VPSBG reports (billing status, lock, power).

VPSBG keeps a billing `status` (active, processing, suspended, terminated), a `locked` flag while
an action runs, and the live `state.running`. People want one answer: running, stopped, busy...
"""

from __future__ import annotations

from typing import Any

__all__ = ["STATE_LABELS", "power_state"]

STATE_LABELS: dict[str, str] = {
    "running": "Running",
    "stopped": "Stopped",
    "busy": "Busy",
    "processing": "Being set up",
    "suspended": "Suspended",
    "terminated": "Terminated",
    "unknown": "Unknown",
}


def power_state(server: Any, status: Any = None) -> tuple[str, str]:
    """`(key, label)` for a `Server` (and, when fetched, its live `ServerStatus`)."""
    billing = (getattr(server, "status", None) or "").lower()
    if billing in ("processing", "suspended", "terminated"):
        key = billing
    elif getattr(server, "locked", False):
        key = "busy"
    else:
        running = getattr(status, "running", None) if status is not None else None
        if running is None:
            state = getattr(server, "state", None)
            running = getattr(state, "running", None) if state is not None else None
        key = "unknown" if running is None else ("running" if running else "stopped")
    return key, STATE_LABELS[key]
