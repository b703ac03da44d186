"""Support actions: open a ticket, reply to one, resolve one.

A message is at least 5 characters (the reference); its attachments are the panel's own limits
(the reference states none): they keep one request's uploads, which the client sends in memory,
small, and the error names the file that is too big. The support plan's actions are billing's
(`billing.py`).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.template.defaultfilters import filesizeformat
from pydantic import BeforeValidator, Field, field_validator, model_validator

from panel.services import support
from panel.services.context import Actor

from .base import Action, Input, Mode, NoInput, Risk, Target, Upload
from .inputs import VpsbgId, blank_is_none
from .registry import register

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "TICKET_CREATE",
    "TICKET_REPLY",
    "TICKET_RESOLVE",
    "TicketInput",
    "TicketReplyInput",
]

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_HELP = (
    f"Optional; up to {MAX_ATTACHMENTS} files of at most "
    f"{filesizeformat(MAX_ATTACHMENT_BYTES)} each (images, PDF, text or zip)."
)
Message = Annotated[str, Field(min_length=5, max_length=20_000)]
Attachments = Annotated[list[Upload], Field(max_length=MAX_ATTACHMENTS)]


def _check_sizes(files: list[Upload]) -> list[Upload]:
    """Each file at most `MAX_ATTACHMENT_BYTES` (read when checked, so a test may lower it)."""
    for upload in files:
        if len(upload.content) > MAX_ATTACHMENT_BYTES:
            raise ValueError(
                f"“{upload.name}” is {filesizeformat(len(upload.content))}; "
                f"each file may be at most {filesizeformat(MAX_ATTACHMENT_BYTES)}."
            )
    return files


class TicketInput(Input):
    department_id: VpsbgId = Field(
        title="Department", description="As VPSBG lists the departments.", json_schema_extra={"offered": True}
    )
    subject: Annotated[str, Field(min_length=3, max_length=255)] = Field(title="Subject")
    message: Message = Field(
        title="Message", description="At least 5 characters.", json_schema_extra={"widget": "textarea"}
    )
    attachments: Attachments = Field(default_factory=list, title="Attachments", description=ATTACHMENT_HELP)
    service_id: VpsbgId | None = Field(default=None, title="Related service")
    service_type: Annotated[Annotated[str, Field(max_length=50)] | None, BeforeValidator(blank_is_none)] = (
        Field(default=None, title="Related service's type", description="server, hosting…")
    )

    @field_validator("attachments")
    @classmethod
    def _sizes(cls, value: list[Upload]) -> list[Upload]:
        return _check_sizes(value)

    @model_validator(mode="after")
    def _service_pair(self) -> TicketInput:
        if (self.service_id is None) != (self.service_type is None):
            raise ValueError("A related service needs both its id and its type.")
        return self


class TicketReplyInput(Input):
    message: Message = Field(
        title="Your reply", description="At least 5 characters.", json_schema_extra={"widget": "textarea"}
    )
    attachments: Attachments = Field(default_factory=list, title="Attachments", description=ATTACHMENT_HELP)

    @field_validator("attachments")
    @classmethod
    def _sizes(cls, value: list[Upload]) -> list[Upload]:
        return _check_sizes(value)


def _files(data: TicketInput | TicketReplyInput) -> list[tuple[str, bytes, str]] | None:
    return [upload.as_tuple() for upload in data.attachments] or None


def _create(actor: Actor, target: str, data: TicketInput, reason: str) -> Any:
    return support.support_tickets_create(
        actor=actor,
        department_id=data.department_id,
        subject=data.subject,
        message=data.message,
        attachments=_files(data),
        service_id=data.service_id,
        service_type=data.service_type,
        account=target,
        reason=reason,
    )


def _reply(actor: Actor, target: str, data: TicketReplyInput, reason: str) -> Any:
    return support.support_tickets_reply(
        actor=actor, ticket=target, message=data.message, attachments=_files(data), reason=reason
    )


def _resolve(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
    return support.support_tickets_resolve(actor=actor, ticket=target, reason=reason)


TICKET_CREATE = Action(
    name="support_tickets_create",
    label="Open ticket",
    description="Ask VPSBG support, optionally about one service, with attachments.",
    input=TicketInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_create,
    done_message="Ticket opened.",
)
TICKET_REPLY = Action(
    name="support_tickets_reply",
    label="Reply to ticket",
    description="Add a message (and attachments) to a support ticket.",
    input=TicketReplyInput,
    target=Target.ACCOUNT,
    subject="ticket",
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_reply,
    done_message="Reply sent.",
)
TICKET_RESOLVE = Action(
    name="support_tickets_resolve",
    label="Resolve ticket",
    description="Mark a support ticket resolved (VPSBG closes it).",
    input=NoInput,
    target=Target.ACCOUNT,
    subject="ticket",
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_resolve,
    done_message="Ticket resolved.",
)

register(TICKET_CREATE, TICKET_REPLY, TICKET_RESOLVE)
