"""Backups as a target of their own: deleting one (a long operation that confirms it is gone).

Snapshots (take, delete, restore) are declared in `snapshots.py`.
"""

from __future__ import annotations

from typing import Any

from .base import Action, Mode, NoInput, Risk, Target
from .registry import register

__all__ = ["BACKUP_DELETE"]


def _params(target: str, data: NoInput) -> dict[str, Any]:
    return {"backup": target}


BACKUP_DELETE = Action(
    name="backups_delete",
    label="Delete a backup",
    description="Delete one backup for good.",
    input=NoInput,
    target=Target.BACKUP,
    risk=Risk.DESTRUCTIVE,
    mode=Mode.OPERATION,
    kind="backup_delete",
    params=_params,
)

register(BACKUP_DELETE)
