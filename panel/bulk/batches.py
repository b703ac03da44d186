"""Starting a batch (many servers, one action) and retrying its failed servers.

The role and the member's server scope are asked for every server before anything starts (a
refusal stops the whole batch, audited); the policies decide once for the whole batch
(`pipeline.check`: `Refused`, or `pipeline.Pending` when a rule holds it for approval). An approved
batch is started with `checked=True`, so the policies are not asked again. Every server's action
is authorised once more when its child starts (`kinds._start_item`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

from panel.accounts.permissions import can
from panel.actions import pipeline
from panel.actions import registry as actions
from panel.actions.base import Action
from panel.actions.request import ActionRequest
from panel.core.errors import InvalidInput, NotFoundError
from panel.operations import services as operations
from panel.operations.models import Operation
from panel.services import execution
from panel.services.context import parse_server_ref
from panel.services.execution import known_hostname

from .kinds import parent_kind
from .models import BatchItem, ItemState

__all__ = ["Batch", "max_servers", "retry_failed", "start_batch"]


def max_servers() -> int:
    return int(getattr(settings, "BULK_MAX_SERVERS", 500))


@dataclasses.dataclass(frozen=True)
class Batch:
    """A batch as its page and the API show it: the parent operation and its per-server items."""

    operation: Operation
    items: list[BatchItem]

    @classmethod
    def of(cls, operation: Operation) -> Batch:
        items = list(BatchItem.objects.filter(parent=operation).select_related("child"))
        if operation.is_ended:  # a cancelled batch never started these
            for item in items:
                if item.state == ItemState.PENDING:
                    item.state = ItemState.SKIPPED
        return cls(operation, items)

    def count(self, state: str) -> int:
        return sum(1 for item in self.items if item.state == state)

    @property
    def failed(self) -> list[BatchItem]:
        return [item for item in self.items if item.state == ItemState.FAILED]


def bulk_actions(membership: Any) -> list[Action]:
    """The actions this member may run on many servers at once (the servers list offers them)."""
    if not can(membership, "bulk.run"):
        return []
    found = [a for a in actions.load_all().values() if a.bulk and can(membership, a.name)]
    return sorted(found, key=lambda a: a.label)


def is_batch(operation: Operation) -> bool:
    return operation.kind.startswith("bulk_")


def start_batch(
    requests: Sequence[ActionRequest],
    *,
    checked: bool = False,
    idempotency_key: str = "",
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> Operation:
    """Start one parent operation running `requests` (one action, one member, one server each).

    Raises `InvalidInput` (no server, mixed actions, too many), `pipeline.Refused`, `NotFoundError`
    (a server outside the member's scope), `pipeline.Pending` (held for approval: nothing started).
    `checked=True`: the policies already decided on this very batch (an approved one).
    `extra`: what the parent keeps about where it came from (`schedule`, `retry_of`).
    """
    if not requests:
        raise InvalidInput("Choose at least one server.", fields={"servers": ["Choose at least one."]})
    action, actor = requests[0].action, requests[0].actor
    if any(r.action is not action for r in requests):
        raise InvalidInput("A batch runs one action; these requests name several.")
    if any(r.actor.membership.pk != actor.membership.pk for r in requests):
        raise InvalidInput("A batch runs on behalf of one member; these requests name several.")
    if not (action.bulk or action.schedulable):
        raise InvalidInput(f"“{action.label}” cannot run on many servers at once.")
    unique: dict[str, ActionRequest] = {}
    for request in requests:
        unique.setdefault(request.target, request)
    if len(unique) > max_servers():
        raise InvalidInput(
            f"A batch runs on at most {max_servers()} servers; {len(unique)} were chosen.",
            fields={"servers": [f"At most {max_servers()}."]},
        )
    batch = list(unique.values())
    for request in batch:  # role and scope for every server; the first refusal stops the batch
        pipeline.authorise(action, actor, request.target)
    if not checked:
        pipeline.check(batch)
    with transaction.atomic():
        with execution.preauthorised(action.name):
            parent = operations.start(
                actor=actor,
                kind=parent_kind(action),
                params={"action": action.name, "count": len(batch), **(extra or {})},
                idempotency_key=idempotency_key,
                request=actor.request,
                reason=reason or batch[0].reason,
            )
        if not BatchItem.objects.filter(parent=parent).exists():  # a repeated key: the first batch
            BatchItem.objects.bulk_create(
                BatchItem(
                    parent=parent,
                    position=i,
                    target=r.target,
                    target_label=(known_hostname(parse_server_ref(r.target), actor.team) or "")[:255],
                    request=r.to_json(),
                )
                for i, r in enumerate(batch)
            )
    return parent


def retry_failed(parent: Operation, *, actor: Any, idempotency_key: str = "") -> Operation:
    """A new batch of just the servers that failed in `parent`, by `actor`, with the same input."""
    if not is_batch(parent):
        raise NotFoundError("No such batch.")
    if not parent.is_ended:
        raise InvalidInput("This batch is still running; retry its failed servers when it ends.")
    failed = list(BatchItem.objects.filter(parent=parent, state=ItemState.FAILED))
    if not failed:
        raise InvalidInput("No server failed in this batch: nothing to retry.")
    requests = []
    for item in failed:
        stored = ActionRequest.from_json(item.request)
        requests.append(
            ActionRequest.create(
                stored.action, actor=actor, target=item.target, data=stored.input, reason=stored.reason
            )
        )
    return start_batch(requests, idempotency_key=idempotency_key, extra={"retry_of": parent.pk})
