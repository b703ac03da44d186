"""The kinds of long operation: their steps, the permission they need, how a request is checked.

A kind module defines `KIND = Kind(...)`. `prepare(actor, params)` runs in the web process when the
operation is requested: it validates the input (a clear `InvalidInput`, never a crash), names the
target and the locks the operation holds, and splits secrets (a new root password) from the
parameters so only the encrypted copy is stored and nothing secret reaches the broker.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..runner import Step

__all__ = ["KINDS", "Kind", "Prepared"]


@dataclass
class Prepared:
    """A validated request: what the operation acts on, and what it keeps."""

    account_id: str
    target_type: str
    target_id: str
    target_label: str
    params: dict[str, Any]
    secret: dict[str, Any] = field(default_factory=dict)
    locks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    action: str  # the operationId (permission table entry) the actor needs
    steps: tuple[Step, ...]
    prepare: Callable[[Any, dict[str, Any]], Prepared]

    @property
    def cancellable_steps(self) -> int:
        """How many leading steps run before the point of no return."""
        for i, step in enumerate(self.steps):
            if step.point_of_no_return:
                return i
        return len(self.steps)


MODULES: tuple[str, ...] = (
    "deploy",
    "reinstall",
    "restore",
    "snapshot_create",
    "snapshot_delete",
    "backup_delete",
    "scale",
    "scale_addons",
    "renew",
    "rescue",
    "primary_ip",
    "floating_ip_purchase",
    "floating_ip_attach",
    "floating_ip_detach",
    "password",
    "pay_orders",
)

KINDS: dict[str, Kind] = {}


def _load() -> None:
    for name in MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        for kind in getattr(module, "KINDS", None) or (module.KIND,):
            KINDS[kind.name] = kind


_load()
