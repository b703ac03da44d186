"""Who is acting, and which VPSBG object they point at.

`Actor` is what every service takes: a team member today (a `Membership`), a panel API token
later (an object with the same `team`, `role` and `server_scope`, plus `api_token_label`). Services
accept a bare `Membership` too; `as_actor()` wraps it.

Objects at VPSBG are identified across the team's accounts by `(account id, VPSBG id)`, written
`"<account id>:<id>"` (the account id is the one the vault stored for the token, e.g. the account's
e-mail). `ServerRef` is that pair for a server; `Ref` for any other per-account object (an order,
an SSH key, a ticket...). A malformed reference is a `NotFoundError`, never a crash: a link that
was tampered with or points at a server the member may not see looks the same as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from django.http import HttpRequest

from panel.accounts.models import Membership, Team, User
from panel.core.errors import NotFoundError

__all__ = ["Actor", "ActorLike", "Ref", "ServerRef", "as_actor", "parse_ref", "parse_server_ref"]


@dataclass(frozen=True)
class Actor:
    """The acting member (or panel API token) plus the request it came with, for the audit log.

    `membership` needs `team`, `role`, `server_scope`, `user` (None for an API token) and
    `get_role_display()`: what `panel.accounts.permissions.require` and the audit recorder read.
    """

    membership: Membership
    request: HttpRequest | None = field(default=None, compare=False)
    api_token_label: str | None = None
    # What the member typed when starting a long operation: the worker's calls are audited with it.
    reason: str = field(default="", compare=False)

    @property
    def team(self) -> Team:
        return self.membership.team

    @property
    def user(self) -> User | None:
        return getattr(self.membership, "user", None)

    @property
    def is_server_limited(self) -> bool:
        return bool(getattr(self.membership, "server_scope", None))

    def may_see_server(self, account_id: str, server_id: int | str) -> bool:
        scope = getattr(self.membership, "server_scope", None) or []
        return not scope or f"{account_id}:{server_id}" in scope


ActorLike: TypeAlias = Actor | Membership


def as_actor(actor: ActorLike, *, request: HttpRequest | None = None) -> Actor:
    """`actor` as an `Actor`; a `Membership` (or anything with `team` and `role`) is wrapped."""
    if isinstance(actor, Actor):
        return actor
    if actor is None or not hasattr(actor, "team") or not hasattr(actor, "role"):
        raise TypeError("services need the acting member (a Membership or an Actor)")
    return Actor(membership=actor, request=request)


@dataclass(frozen=True, order=True)
class Ref:
    """One object of one VPSBG account: `Ref("ops@alpha.example", 91)`, text `"ops@alpha.example:91"`."""

    account_id: str
    id: str

    def __str__(self) -> str:
        return f"{self.account_id}:{self.id}"

    @property
    def int_id(self) -> int:
        return int(self.id)


@dataclass(frozen=True, order=True)
class ServerRef(Ref):
    """A server of one VPSBG account (server identity across the team's accounts)."""

    @property
    def server_id(self) -> int:
        return int(self.id)


def _split(value: Any, what: str) -> tuple[str, str]:
    if isinstance(value, Ref):
        return value.account_id, value.id
    if isinstance(value, tuple) and len(value) == 2:
        account, ident = value
    elif isinstance(value, str):
        account, sep, ident = value.strip().rpartition(":")
        if not sep:
            raise NotFoundError(f"No such {what}: “{value[:80]}” (expected “<account>:<id>”).")
    else:
        raise NotFoundError(f"No such {what}.")
    account, ident = str(account).strip(), str(ident).strip()
    if not account or not ident or len(account) > 255 or len(ident) > 64:
        raise NotFoundError(f"No such {what}: “{str(value)[:80]}”.")
    return account, ident


def parse_ref(value: Ref | str | tuple[str, Any], what: str = "object", *, numeric: bool = True) -> Ref:
    """A `Ref` from `"<account>:<id>"` (or a Ref / pair); `NotFoundError` when it cannot be one."""
    account, ident = _split(value, what)
    if numeric and not (ident.isascii() and ident.isdigit()):
        raise NotFoundError(f"No such {what}: “{str(value)[:80]}”.")
    return Ref(account, ident)


def parse_server_ref(value: ServerRef | Ref | str | tuple[str, Any]) -> ServerRef:
    """A `ServerRef` from `"<account>:<server id>"`; `NotFoundError` for anything else."""
    ref = parse_ref(value, "server")
    return ServerRef(ref.account_id, str(int(ref.id)))
