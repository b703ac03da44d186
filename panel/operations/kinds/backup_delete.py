"""Delete a backup, then confirm VPSBG no longer lists it."""

from __future__ import annotations

from typing import Any

from panel.actions.base import NoInput
from panel.services import library
from panel.services.context import parse_ref

from ..runner import DONE, WAIT, Context, Step
from .common import action_input, fresh_backups
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    ref = parse_ref(params.get("backup") or "", "backup")
    action_input(NoInput, params, "Delete a backup", besides=("backup",))
    return Prepared(
        account_id=ref.account_id,
        target_type="backup",
        target_id=str(ref),
        target_label=f"backup {ref.id}",
        params={"backup": str(ref)},
        locks=[f"backup:{ref}"],
    )


def _gone(ctx: Context) -> bool:
    ref = parse_ref(ctx.op.target_id, "backup")
    return all(str(b.id) != ref.id for b in fresh_backups(ctx, ref.account_id))


def _delete(ctx: Context) -> str:
    ctx.once(
        "delete", lambda: library.backups_delete(actor=ctx.actor, backup=ctx.op.target_id), lambda: _gone(ctx)
    )
    return DONE


KIND = Kind(
    name="backup_delete",
    label="Delete backup",
    action="backups_delete",
    steps=(
        Step("delete", "Deleting the backup", _delete, progress=50, point_of_no_return=True),
        Step("confirm", "Confirming with VPSBG", lambda ctx: DONE if _gone(ctx) else WAIT, progress=95),
    ),
    prepare=prepare,
)
