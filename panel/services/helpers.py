"""Small pieces the per-area service modules share (argument checks, scope filters)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from panel.core.errors import InvalidInput
from vpsbg_api.calls import call
from vpsbg_api.results import Page

from .context import ActorLike, Ref, as_actor, parse_ref
from .execution import execute

__all__ = ["describe_files", "in_scope", "on_object", "require_list"]

R = TypeVar("R")


def on_object(
    method: Callable[..., R],
    actor: ActorLike,
    value: Ref | str,
    what: str,
    *,
    reason: str = "",
    **kwargs: Any,
) -> R:
    """One VPSBG call about one object of an account (an SSH key, ISO, snapshot...), named `what`.

    `method` is the client's (`SshKeysArea.get`), called with the object's id as `id`.

    The object is the audit target (type `what` with underscores) and its id goes in the path; the
    services stay one explicit function each, so the panel API can build its forms from them.
    """
    ref = parse_ref(value, what)
    return execute(
        call(method, id=ref.int_id, **kwargs),
        actor=actor,
        target=ref,
        target_type=what.replace(" ", "_"),
        reason=reason,
    )


def require_list(value: Sequence[Any] | None, field: str) -> list[Any]:
    """A non-empty list argument (a single string is refused: it would be iterated by character)."""
    if isinstance(value, str | bytes) or value is None or not isinstance(value, Sequence | set | frozenset):
        raise InvalidInput(f"Give a list of {field}.", fields={field: ["Give a list."]})
    items = list(value)
    if not items:
        raise InvalidInput(f"Choose at least one of the {field}.", fields={field: ["Choose at least one."]})
    return items


def describe_files(value: Any) -> Any:
    """What the audit log keeps of uploaded files: names and sizes, never their content."""
    if value is None:
        return None
    if isinstance(value, list | tuple) and value and not isinstance(value[0], str):
        return [describe_files(v) for v in value]
    name, content = "upload", value
    if isinstance(value, tuple):
        name, content = str(value[0]), value[1]
    size = len(content) if isinstance(content, bytes | bytearray) else None
    if size is None and hasattr(content, "name"):
        name = str(content.name)
    return {"name": name[:200], "size": size}


def in_scope(actor: ActorLike, *, by: str = "id") -> Callable[[Any, str], Any]:
    """A result filter keeping what a server-limited member may see (everything for others).

    `by` names the item attribute holding the server id: `id` for servers, `server_id` for
    snapshots and backups (an item without a server is kept: it belongs to no server).
    """
    who = as_actor(actor)

    def keep(result: Any, account_id: str) -> Any:
        if not who.is_server_limited or not isinstance(result, Page):
            return result
        items = [
            item
            for item in result.items
            if getattr(item, by, None) is None or who.may_see_server(account_id, getattr(item, by))
        ]
        return Page(items=items, meta=None, links=None)

    return keep
