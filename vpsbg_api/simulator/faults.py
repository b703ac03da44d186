"""Fault injection: latency, error statuses, hangs, dropped connections, malformed JSON.

Faults are matched per request (all operations or one ``operationId``), fire with a given
probability (``rate``) and may be limited to ``count`` firings. They are configurable at start
(``--fault SPEC``), from Python (``sim.faults.add(...)``) and over HTTP (``/_admin/faults``).
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Fault:
    operation: str | None = None
    latency: float = 0.0
    status: int | None = None
    rate: float = 1.0
    timeout: bool = False
    drop: bool = False
    malformed: bool = False
    count: int | None = None
    id: int = 0

    def validate(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if self.latency < 0:
            raise ValueError("latency must not be negative")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status code")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1")
        if not any((self.latency, self.status, self.timeout, self.drop, self.malformed)):
            raise ValueError("a fault needs one of latency, status, timeout, drop, malformed")


FIELDS = {"operation", "latency", "status", "rate", "timeout", "drop", "malformed", "count"}


def parse_fault_spec(spec: str) -> dict[str, Any]:
    """Parse ``key=value,key=value`` (e.g. ``operation=servers_get,status=503,rate=0.5``)."""
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if key not in FIELDS:
            raise ValueError(f"unknown fault field {key!r}; known: {', '.join(sorted(FIELDS))}")
        if key in ("timeout", "drop", "malformed"):
            out[key] = (value or "true").lower() in ("1", "true", "yes", "on")
        elif not sep:
            raise ValueError(f"fault field {key!r} needs a value")
        elif key == "operation":
            out[key] = value or None
        elif key in ("status", "count"):
            out[key] = int(value)
        else:
            out[key] = float(value)
    return out


class Faults:
    """Thread-safe registry of active faults."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next = 1
        self._random = random.Random(seed)

    def add(self, operation: str | None = None, **options: Any) -> Fault:
        unknown = set(options) - FIELDS
        if unknown:
            raise ValueError(f"unknown fault options: {', '.join(sorted(unknown))}")
        fault = Fault(operation=operation, **options)
        fault.validate()
        with self._lock:
            fault.id = self._next
            self._next += 1
            self._faults.append(fault)
        return fault

    def add_spec(self, spec: str) -> Fault:
        return self.add(**parse_fault_spec(spec))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def pick(self, operation_id: str) -> Fault | None:
        """The fault that fires for this request, if any (consumes one of its ``count``)."""
        with self._lock:
            for fault in list(self._faults):
                if fault.operation not in (None, operation_id):
                    continue
                if fault.rate < 1.0 and self._random.random() >= fault.rate:
                    continue
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                return fault
        return None
