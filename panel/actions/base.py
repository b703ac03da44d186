"""The declaration of one action: what it is called, what it takes, what it touches, how it runs."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

if TYPE_CHECKING:
    from .request import ActionRequest

__all__ = ["Action", "Cost", "Input", "Mode", "NoInput", "Risk", "Target", "Upload", "field_error"]

Cost = tuple[Decimal, str]  # an amount and its currency ("EUR")


class Risk(StrEnum):
    """How much harm a mistaken run does; policies (approvals, schedules) decide on it."""

    READ = "read"
    WRITE = "write"
    DESTRUCTIVE = "destructive"
    PAYING = "paying"


class Mode(StrEnum):
    NOW = "now"  # one call while the person waits
    OPERATION = "operation"  # a long operation (`panel.operations`), followed on its own page


class Target(StrEnum):
    """What the request's `target` text names.

    SERVER: `"<account>:<server id>"`. ACCOUNT: a VPSBG account of the team, either the account
    id itself or, when the action has a `subject` ("order", "ticket"...), one object of it written
    `"<account>:<id>"`. TEAM: the panel team itself (its members, invitations, tokens).
    """

    SERVER = "server"
    BACKUP = "backup"  # "<account>:<backup id>"
    ACCOUNT = "account"
    TEAM = "team"
    SNAPSHOT = "snapshot"  # "<account id>:<snapshot id>"


class Input(BaseModel):
    """Base of every input type: unknown fields are refused, so a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def field_error(model: type[BaseModel], field: str, message: str, value: Any = None) -> ValidationError:
    """A cross-field rule's refusal shown next to one field (the form's box, the API's `fields`),
    where a plain `ValueError` from a model validator would belong to the whole input."""
    error = PydanticCustomError("value_error", "{message}", {"message": message})
    return ValidationError.from_exception_data(
        model.__name__, [InitErrorDetails(type=error, loc=(field,), input=value)]
    )
class Upload(BaseModel):
    """One uploaded file of an input (a ticket's attachment): its name, type and bytes.

    In JSON (a stored request) the bytes are base64; a file's size limits are the input type's.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_bytes="base64")

    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=255)
    content: bytes

    @field_validator("content", mode="before")
    @classmethod
    def _from_base64(cls, value: object) -> object:
        if isinstance(value, str):  # from JSON: `to_json` wrote the bytes as base64
            try:
                return base64.b64decode(value, altchars=b"-_", validate=True)  # pydantic: URL-safe
            except (binascii.Error, ValueError):
                raise ValueError("A file's content must be base64 in JSON.") from None
        return value

    def as_tuple(self) -> tuple[str, bytes, str]:
        """As the services take a file: (name, content, content type)."""
        return self.name, self.content, self.content_type


class NoInput(Input):
    """The input of an action that needs nothing but its target (power actions)."""


@dataclass(frozen=True)
class Action:
    """One user action.

    `name` is the reference's operationId for VPSBG actions: the same name in URLs, the permission
    table, audit events and operations. `perform(actor, target, input, reason)` runs a NOW action
    through its typed service; `kind` names the operation kind of an OPERATION action and
    `params(target, input)` the parameters it is started with. `subject` names the object of an
    account the target points at (an ACCOUNT action on an order: "order"), empty when the target is
    the account itself. `cost(request)`, for PAYING actions, says what running the request would
    spend as `(amount, currency)`, or None when it cannot be known before VPSBG is asked: spend
    limits and approval rules above an amount read it (`panel.guardrails`).

    `schedulable`: it makes sense on a timer (`panel.schedules` offers it); `bulk`: it may run on
    many servers at once with one input (`panel.bulk` offers it). Both only for server actions.
    """

    name: str
    label: str
    description: str
    input: type[Input]
    target: Target
    risk: Risk
    mode: Mode
    perform: Callable[[Any, str, Any, str], Any] | None = None
    kind: str | None = None
    params: Callable[[str, Any], dict[str, Any]] | None = None
    done_message: str = ""
    subject: str = ""
    cost: Callable[[ActionRequest], Cost | None] | None = None
    schedulable: bool = False
    bulk: bool = False

    def __post_init__(self) -> None:
        if self.mode is Mode.NOW and self.perform is None:
            raise ValueError(f"{self.name}: a NOW action needs `perform`")
        if self.mode is Mode.OPERATION and (self.kind is None or self.params is None):
            raise ValueError(f"{self.name}: an OPERATION action needs `kind` and `params`")
        if self.cost is not None and self.risk is not Risk.PAYING:
            raise ValueError(f"{self.name}: only a PAYING action has a `cost`")
        if self.subject and self.target is not Target.ACCOUNT:
            raise ValueError(f"{self.name}: only an ACCOUNT action names a `subject`")
        if (self.schedulable or self.bulk) and self.target is not Target.SERVER:
            raise ValueError(f"{self.name}: only a server action runs on a schedule or in bulk")
