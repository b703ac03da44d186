"""Support tickets with VPSBG: list, read, open, reply, resolve, attachments.

One service per VPSBG operation, each a thin typed wrapper over `execution.execute` (authorize,
choose the token, call, map errors, audit). Object arguments are `"<account>:<id>"` references;
`account` picks the VPSBG account when the team has several (optional when it has one).

A member limited to chosen servers may still talk to support (`LIMITED_MAY_WRITE`: tickets are
the account's conversation), but may not link a new ticket to another server: the related
services outside their scope are hidden, and such a link answers "not found" like a missing server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vpsbg_api.areas import SupportArea
from vpsbg_api.areas._base import FileInput
from vpsbg_api.calls import call
from vpsbg_api.models import Ticket
from vpsbg_api.results import Download, Page

from .context import ActorLike, Ref, ServerRef, as_actor, parse_ref
from .execution import execute, team_accounts
from .helpers import describe_files
from .registry import service

__all__ = [
    "support_departments_list",
    "support_related_services_list",
    "support_tickets_attachment_download",
    "support_tickets_create",
    "support_tickets_get",
    "support_tickets_list",
    "support_tickets_reply",
    "support_tickets_resolve",
]


# -- a server-limited member's view of support ------------------------------------------------------
def _linked_server(item: dict[str, Any]) -> int | None:
    """The id of the server a related-service item (`{type, id}`) is about, if any."""
    kind, ident = item.get("type") or item.get("service_type"), item.get("id")
    if (kind or "server") != "server" or not ident:
        return None
    try:
        return int(ident)
    except (TypeError, ValueError):
        return None


def _in_scope(actor: ActorLike) -> Any:
    """Keep the related services a server-limited member may see (their servers, non-servers)."""

    def keep(result: Any, account_id: str) -> Any:
        who = as_actor(actor)
        if not who.is_server_limited or not isinstance(result, Page):
            return result
        items = [
            item
            for item in result.items
            if (server := _linked_server(item)) is None or who.may_see_server(account_id, server)
        ]
        return Page(items=items, meta=None, links=None)

    return keep


def _ticket_server(ticket: Any) -> int | None:
    """The server a ticket is about (`service_type` "server"), if any."""
    if str(getattr(ticket, "service_type", "") or "").lower() != "server":
        return None
    return _linked_server({"type": "server", "id": getattr(ticket, "service_id", None)})


def _tickets_in_scope(actor: ActorLike) -> Any:
    """Keep the tickets a server-limited member may see: about their servers, or about no server."""

    def keep(result: Any, account_id: str) -> Any:
        who = as_actor(actor)
        if not who.is_server_limited or not isinstance(result, Page):
            return result
        items = [
            ticket
            for ticket in result.items
            if (server := _ticket_server(ticket)) is None or who.may_see_server(account_id, server)
        ]
        return Page(items=items, meta=result.meta, links=result.links)

    return keep


def _ticket_servers(actor: ActorLike, ref: Ref) -> tuple[ServerRef, ...]:
    """The server a ticket is about, for a server-limited member only (the services then refuse,
    and audit, a ticket about a server outside the member's scope as if it did not exist)."""
    if not as_actor(actor).is_server_limited:
        return ()
    ticket = execute(
        call(SupportArea.tickets_get, id=ref.int_id),
        actor=actor,
        target=ref,
        target_type="ticket",
    )
    server = _ticket_server(ticket)
    return (ServerRef(ref.account_id, str(server)),) if server is not None else ()


@service("support_tickets_create")
def support_tickets_create(
    *,
    actor: ActorLike,
    department_id: int,
    subject: str,
    message: str,
    attachments: Sequence[FileInput] | None = None,
    service_id: int | None = None,
    service_type: str | None = None,
    account: str | None = None,
    reason: str = "",
) -> Ticket:
    """Create new ticket.

    Audited write: `support_tickets_create`, POST /support/tickets.
    """
    servers: tuple[ServerRef, ...] = ()
    if (
        as_actor(actor).is_server_limited
        and _linked_server({"type": service_type, "id": service_id}) is not None
    ):
        if account is None:  # the team's only account (with several, `execute` asks which one)
            accounts = team_accounts(as_actor(actor).team)
            account = next(iter(accounts)) if len(accounts) == 1 else None
        servers = (ServerRef(account, str(service_id)),) if account is not None else ()
    return execute(
        call(
            SupportArea.tickets_create,
            department_id=department_id,
            subject=subject,
            message=message,
            attachments=attachments,
            service_id=service_id,
            service_type=service_type,
        ),
        actor=actor,
        account=account,
        servers=servers,
        audit_params={
            "department_id": department_id,
            "subject": subject,
            "message": message,
            "service_id": service_id,
            "service_type": service_type,
            "attachments": describe_files(attachments),
        },
        reason=reason,
    )


@service("support_tickets_list")
def support_tickets_list(
    *, actor: ActorLike, page: int | None = None, per_page: int | None = None, account: str | None = None
) -> Page[Ticket]:
    """List tickets.

    Read: `support_tickets_list`, GET /support/tickets.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(
        call(SupportArea.tickets_list, page=page, per_page=per_page),
        actor=actor,
        account=account,
        postprocess=_tickets_in_scope(actor),
    )


@service("support_tickets_reply")
def support_tickets_reply(
    *,
    actor: ActorLike,
    ticket: Ref | str,
    message: str,
    attachments: Sequence[FileInput] | None = None,
    reason: str = "",
) -> Ticket:
    """Reply to ticket.

    Audited write: `support_tickets_reply`, POST /support/tickets/{id}/messages.
    """
    ref = parse_ref(ticket, "ticket")
    return execute(
        call(SupportArea.tickets_reply, id=ref.int_id, message=message, attachments=attachments),
        actor=actor,
        target=ref,
        target_type="ticket",
        servers=_ticket_servers(actor, ref),
        audit_params={"id": ref.int_id, "message": message, "attachments": describe_files(attachments)},
        reason=reason,
    )


@service("support_tickets_get")
def support_tickets_get(*, actor: ActorLike, ticket: Ref | str) -> Ticket:
    """Get a ticket.

    Read: `support_tickets_get`, GET /support/tickets/{id}.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = parse_ref(ticket, "ticket")
    return execute(
        call(SupportArea.tickets_get, id=ref.int_id),
        actor=actor,
        target=ref,
        target_type="ticket",
        servers=_ticket_servers(actor, ref),
    )


@service("support_departments_list")
def support_departments_list(*, actor: ActorLike, account: str | None = None) -> Page[dict[str, Any]]:
    """List departments.

    Read: `support_departments_list`, GET /support/departments.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(SupportArea.departments_list), actor=actor, account=account)


@service("support_related_services_list")
def support_related_services_list(*, actor: ActorLike, account: str | None = None) -> Page[dict[str, Any]]:
    """List related services.

    Read: `support_related_services_list`, GET /support/services.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(
        call(SupportArea.related_services_list),
        actor=actor,
        account=account,
        postprocess=_in_scope(actor),
    )


@service("support_tickets_resolve")
def support_tickets_resolve(*, actor: ActorLike, ticket: Ref | str, reason: str = "") -> Any:
    """Mark ticket as resolved.

    Audited write: `support_tickets_resolve`, PUT /support/tickets/{id}/resolve.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = parse_ref(ticket, "ticket")
    return execute(
        call(SupportArea.tickets_resolve, id=ref.int_id),
        actor=actor,
        target=ref,
        target_type="ticket",
        servers=_ticket_servers(actor, ref),
        reason=reason,
    )


@service("support_tickets_attachment_download")
def support_tickets_attachment_download(
    *, actor: ActorLike, ticket: Ref | str, attachment_id: int
) -> Download:
    """Download attachment.

    Read: `support_tickets_attachment_download`, GET /support/tickets/{id}/attachments/{attachment_id}.
    The route is inferred (`x-unverified` in the reference).
    """
    ref = parse_ref(ticket, "ticket")
    return execute(
        call(SupportArea.tickets_attachment_download, id=ref.int_id, attachment_id=attachment_id),
        actor=actor,
        target=ref,
        target_type="ticket",
        servers=_ticket_servers(actor, ref),
    )
