"""The operation kinds of a batch: the parent (`bulk_<action>`) and, for an action run at once (power),
the child that runs it on one server (`do_<action>`).

The parent never waits inside a worker: each delivery looks at its children, starts as many pending
ones as `BULK_CONCURRENCY` allows, and parks (WAIT) until the dispatcher wakes it again. A child of
a long action is that action's own operation (reinstall, snapshot...), started through the pipeline.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.utils import timezone

from panel.actions import pipeline
from panel.actions import registry as actions
from panel.actions.base import Action, Mode
from panel.actions.request import ActionRequest
from panel.core.errors import InvalidInput, PanelError
from panel.operations import services as operations
from panel.operations.kinds.common import server_target
from panel.operations.kinds.registry import KINDS, Kind, Prepared
from panel.operations.models import Operation, State
from panel.operations.runner import DONE, WAIT, Context, Step, StepFailed
from panel.services import execution

from .models import BatchItem, ItemState

__all__ = ["child_kind", "parent_kind", "register_all"]

BATCH_DEADLINE = 7 * 24 * 3600.0  # a big batch at low concurrency may run long; its children have their own


def parent_kind(action: Action) -> str:
    return f"bulk_{action.name}"


def child_kind(action: Action) -> str | None:
    """The kind of one server's child: the action's own kind, or `do_<action>` for one run at once."""
    return f"do_{action.name}" if action.mode is Mode.NOW else action.kind


def concurrency() -> int:
    return max(1, int(getattr(settings, "BULK_CONCURRENCY", 5)))


# -- the parent ---------------------------------------------------------------------------------------
def _prepare_parent(actor: Any, params: dict[str, Any]) -> Prepared:
    count = int(params.get("count") or 0)
    return Prepared(
        account_id="",
        target_type="batch",
        target_id="",
        target_label=f"{count} server{'s' if count != 1 else ''}",
        params={k: params[k] for k in ("action", "count", "schedule", "retry_of") if k in params},
    )


def _settle(item: BatchItem) -> None:
    """A running item whose child ended takes the child's result."""
    child = item.child
    if child is None:
        item.state, item.error = ItemState.FAILED, "Its operation was deleted."
    elif child.is_ended:
        item.state = ItemState.SUCCEEDED if child.state == State.SUCCEEDED else ItemState.FAILED
        item.error = "" if child.state == State.SUCCEEDED else (child.error or child.get_state_display())
    else:
        return
    if child is not None and child.target_label:
        item.target_label = child.target_label[:255]
    item.finished_at = timezone.now()
    item.save(update_fields=["state", "error", "target_label", "finished_at"])


def _start_item(ctx: Context, item: BatchItem) -> None:
    """Start one server's child, authorised again now; a refusal or a busy server fails that item."""
    try:
        stored = ActionRequest.from_json(item.request)
        request = dataclasses.replace(stored, idempotency_key=f"bulk:{ctx.op.pk}:{item.pk}")
        action = request.action
        if action.mode is Mode.NOW:
            grant = pipeline.authorise(action, request.actor, request.target)
            assert grant is not None
            with execution.preauthorised(action.name):
                child = operations.start(
                    actor=request.actor,
                    kind=child_kind(action) or "",
                    params={"server": request.target, "request": request.to_json()},
                    idempotency_key=request.idempotency_key,
                    reason=request.reason,
                )
        else:
            child = pipeline.run(request, checked=True).operation
    except PanelError as exc:
        item.state, item.error, item.finished_at = ItemState.FAILED, exc.message, timezone.now()
        item.save(update_fields=["state", "error", "finished_at"])
        return
    item.child, item.state, item.started_at = child, ItemState.RUNNING, timezone.now()
    item.target_label = (child.target_label or item.target_label)[:255]
    item.save(update_fields=["child", "state", "started_at", "target_label"])


def _run_batch(ctx: Context) -> str:
    items = list(BatchItem.objects.filter(parent=ctx.op).select_related("child"))
    for item in items:
        if item.state == ItemState.RUNNING:
            _settle(item)
    running = sum(1 for i in items if i.state == ItemState.RUNNING)
    for item in [i for i in items if i.state == ItemState.PENDING][: max(0, concurrency() - running)]:
        _start_item(ctx, item)
    ended = [i for i in items if i.state in (ItemState.SUCCEEDED, ItemState.FAILED)]
    ctx.data["done"] = len(ended)
    ctx.data["failed"] = sum(1 for i in ended if i.state == ItemState.FAILED)
    if len(ended) < len(items):
        return WAIT
    failed = [i for i in items if i.state == ItemState.FAILED]
    if failed:
        shown = "; ".join(f"{i.label}: {i.error}" for i in failed[:5])
        more = f"; and {len(failed) - 5} more" if len(failed) > 5 else ""
        raise StepFailed(f"{len(failed)} of {len(items)} servers failed ({shown}{more}).")
    ctx.data["result_note"] = f"Done on all {len(items)} server{'s' if len(items) != 1 else ''}."
    return DONE


def _parent(action: Action) -> Kind:
    return Kind(
        name=parent_kind(action),
        label=f"{action.label} (bulk)",
        action=action.name,
        steps=(
            Step(
                "batch",
                f"{action.label} on each server",
                _run_batch,
                progress=99,
                deadline=BATCH_DEADLINE,
                expected=600.0,
            ),
        ),
        prepare=_prepare_parent,
    )


# -- the child of an action run at once ----------------------------------------------------------------
def _prepare_child(actor: Any, params: dict[str, Any]) -> Prepared:
    _, prepared = server_target(actor, params)
    request = ActionRequest.from_json(str(params.get("request") or ""))
    if request.target != prepared.target_id:
        raise InvalidInput("The stored request names another server.")
    prepared.params["request"] = params["request"]
    return prepared


def _act(ctx: Context) -> str:
    request = ActionRequest.from_json(ctx.params["request"])
    action = request.action

    def verify() -> bool:
        raise StepFailed(
            f"The answer to the panel's request to {action.label.lower()} {ctx.op.target_label} was lost; "
            "it was not sent again. Check the server."
        )

    ctx.once("act", lambda: pipeline.run(request, checked=True), verify)
    ctx.data["result_note"] = action.done_message or ""
    return DONE


def _child(action: Action) -> Kind:
    return Kind(
        name=f"do_{action.name}",
        label=action.label,
        action=action.name,
        steps=(
            Step("act", f"Asking VPSBG: {action.label.lower()}", _act, progress=99, point_of_no_return=True),
        ),
        prepare=_prepare_child,
    )


def register_all() -> None:
    """Every action that may run in bulk or on a schedule gets its parent (and child) kind."""
    for action in actions.load_all().values():
        if not (action.bulk or action.schedulable):
            continue
        KINDS.setdefault(parent_kind(action), _parent(action))
        if action.mode is Mode.NOW:
            KINDS.setdefault(f"do_{action.name}", _child(action))


def children(parent: Operation) -> list[BatchItem]:
    return list(BatchItem.objects.filter(parent=parent).select_related("child"))
