"""The selector interface: which servers a schedule's target names at the moment it runs.

`resolve(kind, value, actor)` is the one function runs call. Labels are resolved through
`servers_with_label` alone, so switching where labels come from is one change: today it uses the
inventory's labels (`panel.inventory.labels.servers_with_label`) when that app is installed.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.apps import apps

from panel.bulk.selection import servers_matching
from panel.core.errors import InvalidInput
from panel.services.context import as_actor, parse_server_ref

from .models import TargetKind

__all__ = ["LabelResolver", "resolve", "servers_with_label"]


class LabelResolver(Protocol):
    def __call__(self, team: Any, label: str, *, member: Any = None) -> list[str]: ...


def servers_with_label(team: Any, label: str, *, member: Any = None) -> list[str]:
    """References ("<account>:<id>") of the team's servers carrying `label`, in the member's scope."""
    if not apps.is_installed("panel.inventory"):
        raise InvalidInput(
            "Server labels are not available in this panel: choose one server or a filter.",
            fields={"target_value": ["Labels are not available."]},
        )
    from panel.inventory.labels import servers_with_label as inventory_servers_with_label  # type: ignore

    found: list[str] = inventory_servers_with_label(team, label, member=member)
    return found


def resolve(kind: str, value: str, actor: Any) -> list[str]:
    """The servers `kind`/`value` names now, as references; `InvalidInput` for an unreadable one."""
    who = as_actor(actor)
    if kind == TargetKind.SERVER:
        return [str(parse_server_ref(value))]
    if kind == TargetKind.LABEL:
        return servers_with_label(who.team, value, member=who.membership)
    if kind == TargetKind.FILTER:
        return [server.ref for server in servers_matching(who, value)]
    raise InvalidInput(f"Unknown kind of target “{kind[:20]}”.")
