"""Take a snapshot of a server (where VPSBG allows it), then wait until it is listed."""

from __future__ import annotations

from typing import Any

from panel.actions.snapshots import SnapshotCreateInput
from panel.services import servers

from ..runner import DONE, WAIT, Context, Step, StepFailed
from .common import (
    action_input,
    fresh_server,
    fresh_snapshots,
    server_ready_step,
    server_ref,
    server_target,
    server_verify,
)
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    """The action's own input type checks the input (`panel.actions.snapshots`)."""
    _, prepared = server_target(actor, params)
    data = action_input(SnapshotCreateInput, params, "Take a snapshot")
    prepared.params["name"] = data.name
    return prepared


def _listed(ctx: Context) -> list[int]:
    ref = server_ref(ctx)
    return [s.id for s in fresh_snapshots(ctx, ref.account_id, server=ref) if s.id is not None]


def _create(ctx: Context) -> str:
    if "snapshots_before" not in ctx.data:  # what a lost answer is told apart by, kept before the call
        ctx.data["snapshots_before"] = _listed(ctx)
        ctx.save()

    def took_effect(_: Any) -> bool | None:
        # VPSBG lists a snapshot once it is taken: a new one is ours; none new, nothing happened.
        new = [i for i in _listed(ctx) if i not in ctx.data["snapshots_before"]]
        if new:
            ctx.data["snapshot_id"] = new[-1]
        return bool(new)

    def verify() -> bool:
        return server_verify(ctx, "take a snapshot", took_effect)

    result = ctx.once(
        "snapshot",
        lambda: servers.servers_snapshots_create(
            actor=ctx.actor, server=server_ref(ctx), name=ctx.params.get("name")
        ),
        verify,
    )
    snapshot_id = result.get("id") if isinstance(result, dict) else getattr(result, "id", None)
    if snapshot_id is not None:
        ctx.data["snapshot_id"] = snapshot_id
    return DONE


def _wait(ctx: Context) -> str:
    ref = server_ref(ctx)
    if fresh_server(ctx).locked:
        return WAIT
    listed = fresh_snapshots(ctx, ref.account_id, server=ref)
    wanted = ctx.data.get("snapshot_id")
    if wanted is None or any(s.id == wanted for s in listed):
        return DONE
    raise StepFailed("VPSBG finished, but the snapshot is not listed; it may have failed at VPSBG.")


KIND = Kind(
    name="snapshot_create",
    label="Create snapshot",
    action="servers_snapshots_create",
    steps=(
        server_ready_step(),
        Step("snapshot", "Asking VPSBG for a snapshot", _create, progress=20, point_of_no_return=True),
        Step("wait", "Taking the snapshot (waiting for VPSBG)", _wait, progress=95),
    ),
    prepare=prepare,
)
