"""Service results as JSON, and their JSON Schema for the OpenAPI document.

Services return the client's pydantic models, `Page`s of them, lists, plain dicts, `Download`s or
nothing. The API answers:

- a model: the model (`model_dump(mode="json", by_alias=True)`, the field names VPSBG uses);
- a `Page`: `{"data": [...], "meta": {...} | null}` (VPSBG's paginator facts, when it sent them);
- a list: `{"data": [...]}`; a dict: the dict;
- anything else (`Any`): `{"result": ...}`, so the body is always a JSON object;
- `None`: 204 No Content; a `Download`: the file itself.

Schemas come from the same pydantic types (`TypeAdapter(...).json_schema(mode="serialization")`),
their `$defs` registered as `Vpsbg<Model>` components by `schema.add_result_components`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from pydantic import BaseModel, TypeAdapter

__all__ = ["COMPONENTS", "ResultKind", "is_download", "result_kind", "result_schema", "to_json"]

COMPONENTS: dict[str, dict[str, Any]] = {}
REF_PREFIX = "Vpsbg"


def _named(annotation: Any, name: str) -> bool:
    """The client's result containers, recognised without importing the client (only the services may)."""
    target = typing.get_origin(annotation) or annotation
    return isinstance(target, type) and target.__name__ == name and target.__module__.endswith(".results")


def is_download(value: Any) -> bool:
    return _named(type(value), "Download")


def _is_page(value: Any) -> bool:
    return _named(type(value), "Page")


class ResultKind:
    NONE = "none"
    DOWNLOAD = "download"
    JSON = "json"


def _unwrap_optional(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def result_kind(annotation: Any) -> str:
    if annotation is None or annotation is type(None):
        return ResultKind.NONE
    if _named(annotation, "Download"):
        return ResultKind.DOWNLOAD
    return ResultKind.JSON


def _shape(annotation: Any) -> str:
    """Which body shape a return annotation gets: page, list, dict, model or result."""
    annotation = _unwrap_optional(annotation)
    origin = typing.get_origin(annotation)
    if _named(annotation, "Page"):
        return "page"
    if origin in (list, tuple) or (origin is not None and getattr(origin, "__name__", "") == "Sequence"):
        return "list"
    if annotation is dict or origin is dict:
        return "dict"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model"
    return "result"


def to_json(value: Any, annotation: Any = Any) -> Any:
    """Plain JSON data for one service result, shaped by its declared type (module docstring)."""
    shape = _shape(annotation)
    if shape == "page" and _is_page(value):
        return {
            "data": [_plain(item) for item in value.items],
            "meta": _plain(value.meta) if value.meta is not None else None,
        }
    if shape == "list" and isinstance(value, list | tuple):
        return {"data": [_plain(item) for item in value]}
    if shape in ("dict", "model") and isinstance(value, dict | BaseModel):
        return _plain(value)
    return {"result": _plain(value)}


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _schema_of(annotation: Any) -> dict[str, Any]:
    """JSON Schema of one type; its `$defs` go to `COMPONENTS` and refs point at them."""
    if annotation is Any:
        return {}
    schema = TypeAdapter(annotation).json_schema(
        mode="serialization", ref_template="#/components/schemas/" + REF_PREFIX + "{model}"
    )
    for name, definition in schema.pop("$defs", {}).items():
        COMPONENTS.setdefault(REF_PREFIX + name, definition)
    if "title" in schema and "$ref" not in schema and schema.get("type") == "object":
        # A top-level model: keep it as a component too, so the document names it.
        name = REF_PREFIX + schema["title"]
        COMPONENTS.setdefault(name, schema)
        return {"$ref": f"#/components/schemas/{name}"}
    return schema


def result_schema(annotation: Any) -> dict[str, Any] | None:
    """The response body schema for a service's return annotation (None: no body)."""
    annotation = _unwrap_optional(annotation) if annotation is not None else None
    kind = result_kind(annotation)
    if kind != ResultKind.JSON:
        return None
    shape = _shape(annotation)
    if shape == "page":
        (item,) = typing.get_args(annotation)[:1] or (Any,)
        page_type = typing.get_origin(annotation) or annotation
        meta_type = typing.get_type_hints(page_type)["meta"]  # PaginationMeta | None

        return {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": _schema_of(item)},
                "meta": _schema_of(meta_type),
            },
            "required": ["data"],
        }
    if shape == "list":
        (item,) = typing.get_args(annotation)[:1] or (Any,)
        return {
            "type": "object",
            "properties": {"data": {"type": "array", "items": _schema_of(item)}},
            "required": ["data"],
        }
    if shape == "dict":
        return {"type": "object", "additionalProperties": True}
    if shape == "model":
        return _schema_of(annotation)
    return {"type": "object", "properties": {"result": {}}, "required": ["result"]}
