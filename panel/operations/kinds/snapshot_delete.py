"""Delete a snapshot, then confirm VPSBG no longer lists it."""

from __future__ import annotations

from typing import Any

from panel.actions.base import NoInput
from panel.services import library
from panel.services.context import parse_ref

from ..runner import DONE, WAIT, Context, Step
from .common import action_input, fresh_snapshots
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    """The target names the snapshot; the action takes no other input (`panel.actions.snapshots`)."""
    ref = parse_ref(params.get("snapshot") or "", "snapshot")
    action_input(NoInput, params, "Delete a snapshot", besides=("snapshot",))
    return Prepared(
        account_id=ref.account_id,
        target_type="snapshot",
        target_id=str(ref),
        target_label=f"snapshot {ref.id}",
        params={"snapshot": str(ref)},
        locks=[f"snapshot:{ref}"],
    )


def _gone(ctx: Context) -> bool:
    ref = parse_ref(ctx.op.target_id, "snapshot")
    return all(str(s.id) != ref.id for s in fresh_snapshots(ctx, ref.account_id))


def _delete(ctx: Context) -> str:
    ctx.once(
        "delete",
        lambda: library.snapshots_delete(actor=ctx.actor, snapshot=ctx.op.target_id),
        lambda: _gone(ctx),
    )
    return DONE


KIND = Kind(
    name="snapshot_delete",
    label="Delete snapshot",
    action="snapshots_delete",
    steps=(
        Step("delete", "Deleting the snapshot", _delete, progress=50, point_of_no_return=True),
        Step("confirm", "Confirming with VPSBG", lambda ctx: DONE if _gone(ctx) else WAIT, progress=95),
    ),
    prepare=prepare,
)
