"""Snapshot actions: take a snapshot, delete one, restore a server from a snapshot or a backup.

Each input type holds every rule the VPSBG reference (`vpsbg_api/openapi.json`) gives about its
input, plus the panel's own bounds: the web form, the API serializer and the operation kind are
built from it (`forms`, `serializers`, `panel/operations/kinds/snapshot_*.py`, `restore.py`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from .base import Action, Input, Mode, NoInput, Risk, Target
from .registry import register

__all__ = [
    "NAME_MAX",
    "RESTORE",
    "SNAPSHOTS",
    "SNAPSHOT_CREATE",
    "SNAPSHOT_DELETE",
    "RestoreInput",
    "SnapshotCreateInput",
]

MAX_ID = 2**31 - 1
NAME_MAX = 100  # the panel's bound: the reference gives `name` no length, VPSBG lists it as a label


def _blank_is_none(value: Any) -> Any:
    """An empty box on a form and a missing key in JSON mean the same: no value."""
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


class SnapshotCreateInput(Input):
    """What taking a snapshot takes (POST /servers/{id}/snapshots): an optional friendly name."""

    name: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None,
        min_length=1,
        max_length=NAME_MAX,
        title="Snapshot name",
        description=f"Optional; at most {NAME_MAX} characters. VPSBG shows it in the snapshot list.",
    )


class RestoreInput(Input):
    """What a restore takes (POST /servers/{id}/restore): one snapshot or one backup, not both."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [{"snapshot_id": 116}, {"backup_id": 7}],
            "invalid_examples": [{}, {"snapshot_id": 116, "backup_id": 7}],
        },
    )

    snapshot_id: Annotated[int | None, BeforeValidator(_blank_is_none)] = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        title="Snapshot",
        description="The snapshot to put back on the disk.",
        json_schema_extra={"offered": True},
    )
    backup_id: Annotated[int | None, BeforeValidator(_blank_is_none)] = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        title="Backup",
        description="Or the backup to put back on the disk.",
        json_schema_extra={"offered": True},
    )

    @model_validator(mode="after")
    def _one_source(self) -> RestoreInput:
        if (self.snapshot_id is None) == (self.backup_id is None):
            raise ValueError("Choose one snapshot or one backup to restore, not both.")
        return self


def _on_server(target: str, data: Input) -> dict[str, Any]:
    return {"server": target, **data.model_dump()}


def _on_snapshot(target: str, data: Input) -> dict[str, Any]:
    return {"snapshot": target}


SNAPSHOT_CREATE = Action(
    name="servers_snapshots_create",
    label="Take a snapshot",
    description="Save the server's disk as it is now.",
    input=SnapshotCreateInput,
    target=Target.SERVER,
    risk=Risk.WRITE,
    mode=Mode.OPERATION,
    kind="snapshot_create",
    params=_on_server,
    schedulable=True,
    bulk=True,
)

SNAPSHOT_DELETE = Action(
    name="snapshots_delete",
    label="Delete a snapshot",
    description="Delete one snapshot for good.",
    input=NoInput,
    target=Target.SNAPSHOT,
    risk=Risk.DESTRUCTIVE,
    mode=Mode.OPERATION,
    kind="snapshot_delete",
    params=_on_snapshot,
)

RESTORE = Action(
    name="servers_restore",
    label="Restore",
    description="Replace the server's disk with a snapshot or a backup.",
    input=RestoreInput,
    target=Target.SERVER,
    risk=Risk.DESTRUCTIVE,
    mode=Mode.OPERATION,
    kind="restore",
    params=_on_server,
)

SNAPSHOTS: tuple[Action, ...] = (SNAPSHOT_CREATE, SNAPSHOT_DELETE, RESTORE)

register(*SNAPSHOTS)
