"""What an input type says about each of its fields, read once for every adapter (form, serializer).

Supported shapes: int, str, bool, decimal (an amount), a `Literal`/enum choice, lists of int or
str, and files (a list of `base.Upload`), each optional or not, with pydantic's bounds (`ge`/`le`,
`min_length`/`max_length`, `decimal_places`). `json_schema_extra` may mark a field `secret`
(never shown again: a password box) or `offered` (the page offers the values it may take: images,
keys, plans), give a choice's `labels` ({"value as text": "label"}), a text's `widget`
("textarea"), or an `example` of a valid value (tests use it).
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .base import Upload

__all__ = ["FieldSpec", "errors_by_field", "specs"]

Shape = Literal["int", "str", "bool", "decimal", "choice", "int_list", "str_list", "files"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    shape: Shape
    required: bool
    label: str
    help: str
    minimum: Any = None  # value bounds (int or Decimal, items of an int list)
    maximum: Any = None
    min_length: int | None = None  # text length, or list length for lists
    max_length: int | None = None
    choices: tuple[Any, ...] = ()
    secret: bool = False
    offered: bool = False
    example: Any = None
    decimal_places: int | None = None
    labels: dict[str, str] = field(default_factory=dict)  # choice value (as text) -> label
    widget: str = ""  # "textarea" for long text

    def choice_label(self, value: Any) -> str:
        return self.labels.get(str(value), str(value))


def _number(value: Any, step: int = 0) -> Any:
    if isinstance(value, Decimal | float):
        return Decimal(str(value))
    return int(value) + step


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            found["minimum"] = _number(item.ge)
        elif isinstance(item, annotated_types.Gt):
            found["minimum"] = _number(item.gt, 1)
        elif isinstance(item, annotated_types.Le):
            found["maximum"] = _number(item.le)
        elif isinstance(item, annotated_types.Lt):
            found["maximum"] = _number(item.lt, -1)
        elif isinstance(item, annotated_types.MinLen):
            found["min_length"] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            found["max_length"] = item.max_length
        elif getattr(item, "decimal_places", None) is not None:
            found["decimal_places"] = item.decimal_places
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
    labels = extra.get("labels")
    common: dict[str, Any] = {
        "name": name,
        "required": info.is_required(),
        "label": info.title or name.replace("_", " ").capitalize(),
        "help": info.description or "",
        "secret": bool(extra.get("secret")),
        "offered": bool(extra.get("offered")),
        "example": extra.get("example"),
        "labels": {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
        "widget": str(extra.get("widget") or ""),
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
        if isinstance(item, type) and issubclass(item, Upload):
            return FieldSpec(
                shape="files",
                min_length=bounds.get("min_length"),
                max_length=bounds.get("max_length"),
                **common,
            )
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
    if annotation is Decimal:
        return FieldSpec(
            shape="decimal",
            minimum=bounds.get("minimum"),
            maximum=bounds.get("maximum"),
            decimal_places=bounds.get("decimal_places"),
            **common,
        )
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
