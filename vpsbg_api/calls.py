"""Typed calls: a call to one operation of the reference, made a value before it is sent.

Every operation of the reference is a typed method of one area (`client.servers.reinstall(...)`),
marked with its operationId by `@operation`. `call(ServersArea.reinstall, 42, image_id=7)` checks
the arguments against that method's signature (mypy does too, through `ParamSpec`) and returns a
`PendingCall[R]`: the operationId, the arguments by name and the method, to be run later on some
client (`pending(client) -> R`). The panel's services build one, and their executor reads the
operationId from it (permissions, token choice, audit, cache) before running it on the client
it chose: the string table (`vpsbg_api.OPERATIONS`) is metadata, never the call path.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

if TYPE_CHECKING:
    from .client import Client

__all__ = ["PendingCall", "call", "operation", "operation_id_of"]

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


def operation(operation_id: str, *, variant: bool = False) -> Callable[[F], F]:
    """Mark an area method as performing `operation_id` of the reference.

    `variant`: another method for the same operation (`servers.list_unread` beside
    `servers.list`); the operation's own method is the one without it (`vpsbg_api.METHODS`).
    The area's name (`servers`) is added when the areas are gathered (`vpsbg_api.areas`).
    """

    def mark(method: F) -> F:
        method.operation_id = operation_id  # type: ignore[attr-defined]
        method.variant = variant  # type: ignore[attr-defined]
        return method

    return mark


def operation_id_of(method: Callable[..., Any]) -> str:
    """The operationId a client method performs (TypeError for anything else)."""
    found = getattr(method, "operation_id", None)
    if not isinstance(found, str) or not getattr(method, "area", None):
        raise TypeError(f"{method!r} is not an operation method of the VPSBG client")
    return found


@dataclass(frozen=True, slots=True)
class _Shape:
    """What binding arguments to one method needs, worked out once per method."""

    positional: tuple[str, ...]  # may be given by position, in order (after `self`)
    names: frozenset[str]
    required: frozenset[str]


@cache
def _shape(method: Callable[..., Any]) -> _Shape:
    parameters = list(inspect.signature(method).parameters.values())[1:]  # without self
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY) for p in parameters):
        raise TypeError(f"{method.__qualname__}: an operation method takes named parameters only")
    return _Shape(
        positional=tuple(p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD),
        names=frozenset(p.name for p in parameters),
        required=frozenset(p.name for p in parameters if p.default is p.empty),
    )


def _bind(method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments by name, refused as Python would refuse them (TypeError), in a few µs."""
    shape = _shape(method)
    name = method.__qualname__
    if len(args) > len(shape.positional):
        raise TypeError(f"{name}() takes {len(shape.positional)} positional argument(s), {len(args)} given")
    arguments = dict(zip(shape.positional, args, strict=False))
    for key, value in kwargs.items():
        if key not in shape.names:
            raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
        if key in arguments:
            raise TypeError(f"{name}() got multiple values for argument {key!r}")
        arguments[key] = value
    missing = shape.required.difference(arguments)
    if missing:
        raise TypeError(f"{name}() missing required argument(s): {', '.join(sorted(missing))}")
    return arguments


@dataclass(frozen=True, slots=True, eq=False)
class PendingCall(Generic[R]):
    """One typed call to an operation, not made yet: run it with `pending(client)`.

    `arguments` are the arguments by name as given (defaults left out), which the panel audits
    and keys its read cache with. The repr shows no argument values (a password may be one).
    """

    operation_id: str
    area: str
    method: Callable[..., R]
    arguments: dict[str, Any]

    def __call__(self, client: Client) -> R:
        return self.method(getattr(client, self.area), **self.arguments)

    @property
    def name(self) -> str:
        """`servers.reinstall`: where the method lives on a client."""
        return f"{self.area}.{self.method.__name__}"

    def __repr__(self) -> str:
        return f"<PendingCall {self.operation_id}: client.{self.name}({', '.join(self.arguments)})>"


def call(method: Callable[Concatenate[Any, P], R], /, *args: P.args, **kwargs: P.kwargs) -> PendingCall[R]:
    """A typed call to `method` (an area's method, e.g. `ServersArea.reinstall`), made later.

    The arguments are bound to the method's signature now, so a wrong one raises TypeError here,
    before any token is chosen or anything is sent.
    """
    operation_id = operation_id_of(method)
    arguments = _bind(method, args, kwargs)
    return PendingCall(operation_id, method.area, method, arguments)  # type: ignore[attr-defined]
