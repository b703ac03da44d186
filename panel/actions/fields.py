"""What an input type says about each of its fields, read once for every adapter (form, serializer).

Supported shapes: int, str, bool, a `Literal`/enum choice, and lists of int or str, each optional
or not, with pydantic's bounds (`ge`/`le`, `min_length`/`max_length`). `json_schema_extra` may
mark a field `secret` (never shown again: a password box) or `offered` (the page offers the
values it may take: images, keys, plans), and give an `example` of a valid value (tests use it).
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

__all__ = ["FieldSpec", "errors_by_field", "specs"]

Shape = Literal["int", "str", "bool", "choice", "int_list", "str_list"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    shape: Shape
    required: bool
    label: str
    help: str
    minimum: int | None = None  # value bounds (int, items of an int list)
    maximum: int | None = None
    min_length: int | None = None  # text length, or list length for lists
    max_length: int | None = None
    choices: tuple[Any, ...] = ()
    secret: bool = False
    offered: bool = False
    example: Any = None


def _bounds(metadata: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            found["minimum"] = int(item.ge)  # type: ignore[call-overload]
        elif isinstance(item, annotated_types.Gt):
            found["minimum"] = int(item.gt) + 1  # type: ignore[call-overload]
        elif isinstance(item, annotated_types.Le):
            found["maximum"] = int(item.le)  # type: ignore[call-overload]
        elif isinstance(item, annotated_types.Lt):
            found["maximum"] = int(item.lt) - 1  # type: ignore[call-overload]
        elif isinstance(item, annotated_types.MinLen):
            found["min_length"] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            found["max_length"] = item.max_length
        elif isinstance(item, FieldInfo):
            found.update(_bounds(item.metadata))
    return found


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
        raise TypeError(f"unsupported union {annotation!r}")
    return annotation


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """(the bare type, the metadata of `Annotated[...]` around it)."""
    metadata: list[Any] = []
    while True:
        while typing.get_origin(annotation) is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            metadata.extend(extra)
        bare = _strip_optional(annotation)
        if bare is annotation:
            return bare, metadata
        annotation = bare  # `Annotated[int, ...] | None`: the bounds are inside the union


def _spec(name: str, info: FieldInfo) -> FieldSpec:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    common: dict[str, Any] = {
        "name": name,
        "required": info.is_required(),
        "label": info.title or name.replace("_", " ").capitalize(),
        "help": info.description or "",
        "secret": bool(extra.get("secret")),
        "offered": bool(extra.get("offered")),
        "example": extra.get("example"),
    }
    annotation, metadata = _unwrap(info.annotation)
    bounds = _bounds([*info.metadata, *metadata])
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return FieldSpec(shape="choice", choices=typing.get_args(annotation), **common)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return FieldSpec(shape="choice", choices=tuple(m.value for m in annotation), **common)
    if origin in (list, tuple):
        item, item_metadata = _unwrap(typing.get_args(annotation)[0])
        item_bounds = _bounds(item_metadata)
        shape: Shape = "int_list" if item is int else "str_list"
        return FieldSpec(
            shape=shape,
            minimum=item_bounds.get("minimum"),
            maximum=item_bounds.get("maximum"),
            min_length=bounds.get("min_length"),
            max_length=bounds.get("max_length"),
            **common,
        )
    if annotation is bool:
        return FieldSpec(shape="bool", **common)
    if annotation is int:
        return FieldSpec(shape="int", minimum=bounds.get("minimum"), maximum=bounds.get("maximum"), **common)
    if annotation is str:
        return FieldSpec(
            shape="str", min_length=bounds.get("min_length"), max_length=bounds.get("max_length"), **common
        )
    raise TypeError(f"{name}: no adapter for {annotation!r}")


def specs(model: type[BaseModel]) -> list[FieldSpec]:
    """The fields of `model`, in declaration order."""
    return [_spec(name, info) for name, info in model.model_fields.items()]


def errors_by_field(error: Any) -> dict[str, list[str]]:
    """A pydantic `ValidationError` as {field name or "" for the whole input: [messages]}."""
    found: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        loc = item.get("loc") or ()
        name = str(loc[0]) if loc else ""
        message = str(item.get("msg", "Invalid value.")).removeprefix("Value error, ")
        found.setdefault(name, []).append(message)
    return found
