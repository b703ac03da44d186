"""Restore a server from one of its snapshots or backups (destructive, at most once)."""

from __future__ import annotations

from typing import Any

from panel.actions.snapshots import RestoreInput
from panel.services import servers

from ..runner import DONE, Context, Step
from .common import (
    action_input,
    server_ready_step,
    server_ref,
    server_target,
    server_verify,
    wait_server_step,
)
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    """The action's own input type checks the input (`panel.actions.snapshots`)."""
    _, prepared = server_target(actor, params)
    data = action_input(RestoreInput, params, "Restore")
    prepared.params.update(snapshot_id=data.snapshot_id, backup_id=data.backup_id)
    return prepared


def _restore(ctx: Context) -> str:
    ctx.once(
        "restore",
        lambda: servers.servers_restore(
            actor=ctx.actor,
            server=server_ref(ctx),
            snapshot_id=ctx.params.get("snapshot_id"),
            backup_id=ctx.params.get("backup_id"),
        ),
        lambda: server_verify(ctx, "restore the server"),
    )
    return DONE


KIND = Kind(
    name="restore",
    label="Restore from snapshot or backup",
    action="servers_restore",
    steps=(
        server_ready_step(),
        Step("restore", "Asking VPSBG to restore", _restore, progress=20, point_of_no_return=True),
        wait_server_step("Restoring (waiting for VPSBG)", park_first=True),
    ),
    prepare=prepare,
)
