"""The declaration of one action: what it is called, what it takes, what it touches, how it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from .request import ActionRequest

__all__ = ["Action", "Input", "Mode", "NoInput", "Risk", "Target"]


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
    SERVER = "server"
    ACCOUNT = "account"
    TEAM = "team"


class Input(BaseModel):
    """Base of every input type: unknown fields are refused, so a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoInput(Input):
    """The input of an action that needs nothing but its target (power actions)."""


@dataclass(frozen=True)
class Action:
    """One user action.

    `name` is the reference's operationId for VPSBG actions: the same name in URLs, the permission
    table, audit events and operations. `perform(actor, target, input, reason)` runs a NOW action
    through its typed service; `kind` names the operation kind of an OPERATION action and
    `params(target, input)` the parameters it is started with.

    `cost(request)` says what one request of a PAYING action will cost, as `(amount, currency)`
    (None when it cannot be known before VPSBG is asked): spend limits and approval rules above
    an amount read it (`panel.guardrails`). An action without it has no known cost.
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
    cost: Callable[[ActionRequest], tuple[Decimal, str] | None] | None = None

    def __post_init__(self) -> None:
        if self.mode is Mode.NOW and self.perform is None:
            raise ValueError(f"{self.name}: a NOW action needs `perform`")
        if self.mode is Mode.OPERATION and (self.kind is None or self.params is None):
            raise ValueError(f"{self.name}: an OPERATION action needs `kind` and `params`")
