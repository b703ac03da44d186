"""One API endpoint per service, derived from the service registry (never a hand-kept list).

For each `@service("<operationId>")` function: the HTTP method of the VPSBG operation, a path
under `/api/v1/` mirroring the reference's path with the panel's references (`{id}` of a server
becomes `{server}`, written `"<account id>:<server id>"`), and a request serializer built from
the function's keyword-only signature (query parameters for GET, a JSON body otherwise; a
multipart body when it takes files). The response follows the return annotation (`results`).
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import IO, Any, Literal

from rest_framework import serializers

from panel.accounts.permissions import SAFE_POSTS, UPSTREAM_OPERATIONS
from panel.actions import registry as actions
from panel.actions.base import Action, Target
from panel.actions.serializers import serializer_class
from panel.services import registry
from panel.services.context import Ref
from panel.services.execution import is_write

from .fields import StringOrListField, StringOrMappingField

__all__ = ["ENDPOINTS", "Endpoint", "PathParam", "endpoints", "routes"]

REF_PATTERN = r"[^/]+:[^/]+"
ARGS_NOT_FROM_REQUEST = {"actor"}


@dataclass(frozen=True)
class PathParam:
    url_name: str  # the name in the URL (and the service argument it fills)
    kind: Literal["ref", "int", "str"]


@dataclass
class Endpoint:
    operation_id: str
    method: str  # GET, POST, PUT, PATCH, DELETE
    upstream_path: str
    route: str  # Django route under api/v1/
    openapi_path: str
    path_params: list[PathParam]
    func: Callable[..., Any]
    serializer: type[serializers.Serializer]
    returns: Any
    area: str
    summary: str
    uploads: bool = False
    body_fields: list[str] = field(default_factory=list)

    @property
    def write(self) -> bool:
        """Changes something at VPSBG: a read-only panel token may not call it."""
        return is_write(self.operation_id)

    @property
    def idempotent_candidate(self) -> bool:
        """Creates, pays or destroys: honours `Idempotency-Key`."""
        return self.method != "GET" and self.operation_id not in SAFE_POSTS


# -- types ---------------------------------------------------------------------------------------
def _union_args(annotation: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return None


def _is_ref(annotation: Any) -> bool:
    args = _union_args(annotation) or (annotation,)
    return any(isinstance(a, type) and issubclass(a, Ref) for a in args)


def _is_sequence(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (list, tuple, Sequence) or (origin is not None and origin.__name__ == "Sequence")


def _is_file(annotation: Any) -> bool:
    args = _union_args(annotation) or (annotation,)
    return bytes in args or any(typing.get_origin(a) is IO or a is IO for a in args)


def field_for(name: str, annotation: Any, default: Any) -> serializers.Field:
    """A serializer field for one keyword argument of a service."""
    required = default is inspect.Parameter.empty
    args = _union_args(annotation)
    nullable = False
    unset = False
    if args is not None:
        rest = []
        for a in args:
            if a is type(None):
                nullable = True
            elif getattr(a, "__name__", "") == "Unset":
                unset = True
            else:
                rest.append(a)
        if _is_ref(annotation):
            rest = [str]
        if len(rest) == 2 and str in rest:
            other = next(a for a in rest if a is not str)
            if _is_sequence(other):
                return StringOrListField(required=required)
            if (
                typing.get_origin(other) in (dict, Mapping)
                or getattr(typing.get_origin(other), "__name__", "") == "Mapping"
            ):
                return StringOrMappingField(required=required)
        if _is_file(annotation) or (len(rest) > 1 and any(_is_file(a) for a in rest)):
            return serializers.FileField(required=required, allow_empty_file=True)
        annotation = rest[0] if len(rest) == 1 else Any
    options: dict[str, Any] = {"required": required and not unset}
    if nullable or unset or (default is None):
        options["allow_null"] = True
    if _is_ref(annotation):
        return serializers.CharField(max_length=400, **options)
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return serializers.ChoiceField(choices=list(typing.get_args(annotation)), **options)
    if _is_sequence(annotation):
        (item,) = typing.get_args(annotation)[:1] or (Any,)
        if _is_file(item) or any(_is_file(a) for a in (_union_args(item) or ())):
            child: serializers.Field = serializers.FileField(allow_empty_file=True)
        else:
            child = field_for(f"{name}[]", item, inspect.Parameter.empty)
        return serializers.ListField(child=child, max_length=500, **options)
    if annotation is bool:
        options.setdefault("allow_null", not required)
        return serializers.BooleanField(**options)
    if annotation is int:
        return serializers.IntegerField(min_value=-(2**63), max_value=2**63 - 1, **options)
    if annotation is float:
        return serializers.FloatField(**options)
    if annotation is str:
        limit = 1000 if name == "reason" else 65535
        return serializers.CharField(
            max_length=limit, allow_blank=not required or name == "reason", trim_whitespace=False, **options
        )
    return serializers.JSONField(**options)


def _action_serializer(
    declared: Action, name: str, path_params: list[PathParam]
) -> type[serializers.Serializer]:
    """The request body of a converted action: its input type's serializer, plus the audit reason
    and, when the path names no target, the field that does (`account`, or `server`).

    Input fields the URL gives (the addon of `/servers/{server}/addons/{server_addon_id}`) are
    `fixed`: not asked in the body, filled in from the path by the view.
    """
    fixed = tuple(p.url_name for p in path_params[1:] if p.url_name in declared.input.model_fields)
    base = serializer_class(declared.input, f"{name}Input", fixed=fixed)
    attrs: dict[str, Any] = {
        "reason": serializers.CharField(
            max_length=1000,
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="Kept in the audit log.",
        ),
        "__module__": base.__module__,
    }
    if not path_params and declared.target is Target.ACCOUNT and not declared.subject:
        attrs["account"] = serializers.CharField(
            max_length=255,
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="The VPSBG account (its id, as the lists give it); the team's only one if left out.",
        )
    elif not path_params and declared.target is Target.SERVER:
        attrs["server"] = serializers.CharField(
            max_length=400, help_text="The server, “<VPSBG account id>:<server id>”."
        )
    return type(name, (base,), attrs)


def _camel(operation_id: str) -> str:
    return "".join(part.capitalize() for part in operation_id.split("_"))


# -- paths ---------------------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _path_params(
    operation_id: str, path: str, params: Mapping[str, inspect.Parameter], hints: Mapping[str, Any]
) -> tuple[str, str, list[PathParam]]:
    """The Django route, the OpenAPI path and the path parameters of one operation."""
    placeholders = PLACEHOLDER.findall(path)
    refs = [n for n, p in params.items() if p.default is inspect.Parameter.empty and _is_ref(hints.get(n))]
    used: list[PathParam] = []
    mapping: dict[str, PathParam] = {}
    for i, placeholder in enumerate(placeholders):
        if placeholder in params:
            name = placeholder
        elif i == 0 and refs:
            name = refs[0]
        else:
            candidates = [n for n in params if n.endswith("_id") and n not in {u.url_name for u in used}]
            if not candidates:
                raise ValueError(f"{operation_id}: no argument for {{{placeholder}}} of {path}")
            name = candidates[0]
        hint = hints.get(name)
        kind: Literal["ref", "int", "str"] = "ref" if _is_ref(hint) else ("int" if hint is int else "str")
        param = PathParam(name, kind)
        used.append(param)
        mapping[placeholder] = param
    converters = {"ref": "ref", "int": "int", "str": "str"}
    route = PLACEHOLDER.sub(lambda m: f"<{converters[mapping[m[1]].kind]}:{mapping[m[1]].url_name}>", path)
    openapi = PLACEHOLDER.sub(lambda m: "{" + mapping[m[1]].url_name + "}", path)
    return route.strip("/"), "/api/v1/" + openapi.strip("/"), used


def _build(operation_id: str, func: Callable[..., Any]) -> Endpoint:
    upstream = UPSTREAM_OPERATIONS[operation_id]
    path = upstream.path
    signature = inspect.signature(func)
    hints = typing.get_type_hints(func)
    params = {n: p for n, p in signature.parameters.items() if n not in ARGS_NOT_FROM_REQUEST}
    django_route, openapi_path, path_params = _path_params(operation_id, path, params, hints)
    in_path = {p.url_name for p in path_params}
    attrs: dict[str, serializers.Field] = {}
    uploads = False
    for name, param in params.items():
        if name in in_path:
            continue
        attrs[name] = field_for(name, hints.get(name, Any), param.default)
        child = getattr(attrs[name], "child", None)
        uploads = (
            uploads
            or isinstance(attrs[name], serializers.FileField)
            or isinstance(child, serializers.FileField)
        )
    kind = "Query" if upstream.method == "GET" else ""
    body_fields = list(attrs)  # before type(): the serializer metaclass pops the fields from attrs
    declared = actions.get(operation_id)
    if declared is not None:  # converted: the body is the action's input type (+ the reason)
        serializer = _action_serializer(declared, f"{_camel(operation_id)}{kind}", path_params)
        body_fields = list(serializer().fields)
    else:
        serializer = type(f"{_camel(operation_id)}{kind}", (serializers.Serializer,), attrs)
    return Endpoint(
        operation_id=operation_id,
        method=upstream.method,
        upstream_path=path,
        route=django_route,
        openapi_path=openapi_path,
        path_params=path_params,
        func=func,
        serializer=serializer,
        returns=hints.get("return", Any),
        area=func.__module__.rsplit(".", 1)[-1],
        summary=upstream.summary,
        uploads=uploads,
        body_fields=body_fields,
    )


@cache
def endpoints() -> dict[str, Endpoint]:
    """operationId -> its endpoint, for every registered service."""
    return {op: _build(op, func) for op, func in sorted(registry.load_all().items())}


def _route_order(route: str) -> tuple[int, ...]:
    # Literal segments before converters, so /servers/renew wins over /servers/<ref:server>.
    return tuple(1 if part.startswith("<") else 0 for part in route.split("/"))


def routes() -> list[tuple[str, dict[str, Endpoint]]]:
    """(Django route, {method: endpoint}) for every distinct path, most specific first."""
    grouped: dict[str, dict[str, Endpoint]] = {}
    for endpoint in endpoints().values():
        by_method = grouped.setdefault(endpoint.route, {})
        if endpoint.method in by_method:
            raise ValueError(f"two services for {endpoint.method} {endpoint.route}")
        by_method[endpoint.method] = endpoint
    return sorted(grouped.items(), key=lambda item: (_route_order(item[0]), item[0]))


ENDPOINTS = endpoints
