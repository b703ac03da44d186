"""The VPSBG reference, loaded once and compiled into a route table and validators.

Routes live only in ``openapi.json``: every (method, path template) pair maps to its
``operationId`` and the simulator looks handlers up by that name. Request bodies are
validated with jsonschema Draft 2020-12 against the reference's own schemas, with
``$ref``s resolved through a ``referencing`` registry holding the whole document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.json"
SPEC_URI = "urn:vpsbg:openapi"
METHODS = ("get", "post", "put", "patch", "delete")


def pointer_escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@dataclass
class Operation:
    """One operation of the reference, with what the simulator needs at request time."""

    operation_id: str
    method: str
    template: str
    regex: re.Pattern[str]
    path_params: dict[str, str]  # name -> json type ("integer" or "string")
    body_media: str | None
    body_required: bool
    body_validator: Draft202012Validator | None
    body_schema: dict[str, Any] | None
    query_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    success_status: str = "200"
    response_schema: dict[str, Any] | None = None
    response_media: str | None = None


@cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def registry() -> Registry:
    resource = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def ref_schema(pointer: str) -> dict[str, Any]:
    """A schema that points into the reference document (resolved by ``registry()``)."""
    return {"$ref": f"{SPEC_URI}#{pointer}"}


def validator_for(pointer: str) -> Draft202012Validator:
    return Draft202012Validator(ref_schema(pointer), registry=registry())


def _resolve_param(spec: dict[str, Any], param: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in param:
        name = param["$ref"].rsplit("/", 1)[-1]
        return spec["components"]["parameters"][name]
    return param


def _compile(template: str, path_params: dict[str, str]) -> re.Pattern[str]:
    pattern = ""
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{") and piece.endswith("}"):
            pattern += f"(?P<{piece[1:-1]}>[^/]+)"
        else:
            pattern += re.escape(piece)
    # The reference writes one path with a trailing slash; accept both forms.
    return re.compile("^" + pattern.rstrip("/") + "/?$")


@cache
def operations() -> dict[str, Operation]:
    spec = load_spec()
    ops: dict[str, Operation] = {}
    for template, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [_resolve_param(spec, p) for p in [*shared, *op.get("parameters", [])]]
            path_params = {
                p["name"]: (p.get("schema") or {}).get("type", "string")
                for p in params
                if p.get("in") == "path"
            }
            query = {p["name"]: p.get("schema") or {} for p in params if p.get("in") == "query"}
            body = op.get("requestBody") or {}
            media = next(iter(body.get("content", {})), None)
            validator = None
            body_schema = None
            if media:
                escaped = pointer_escape(template)
                pointer = f"/paths/{escaped}/{method}/requestBody/content/{pointer_escape(media)}/schema"
                body_schema = body["content"][media].get("schema")
                validator = validator_for(pointer)
            success = sorted(k for k in op["responses"] if k.startswith("2")) or ["default"]
            status = success[0]
            resp_content = op["responses"][status].get("content") or {}
            resp_media = next(iter(resp_content), None)
            resp_schema = None
            if resp_media == "application/json" and "schema" in resp_content[resp_media]:
                resp_schema = ref_schema(
                    f"/paths/{pointer_escape(template)}/{method}/responses/{status}/content/application~1json/schema"
                )
            ops[op["operationId"]] = Operation(
                operation_id=op["operationId"],
                method=method.upper(),
                template=template,
                regex=_compile(template, path_params),
                path_params=path_params,
                body_media=media,
                body_required=bool(body.get("required")),
                body_validator=validator,
                body_schema=body_schema,
                query_params=query,
                success_status=status,
                response_schema=resp_schema,
                response_media=resp_media,
            )
    return ops


@dataclass
class RouteTable:
    """Method -> list of (literal segment count, operation); literal routes win over templates."""

    by_method: dict[str, list[Operation]]

    def match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str]]:
        """Return (operation, path params), or (None, {}) when `method` has no route for `path`."""
        for op in self.by_method.get(method, []):
            m = op.regex.match(path)
            if m:
                return op, m.groupdict()
        return None, {}

    def allowed(self, path: str) -> list[str]:
        """The methods `path` answers (the ``Allow`` header of a 405); HEAD wherever GET is."""
        methods = {method for method, ops in self.by_method.items() if any(o.regex.match(path) for o in ops)}
        if "GET" in methods:
            methods.add("HEAD")
        return sorted(methods)


@cache
def route_table() -> RouteTable:
    by_method: dict[str, list[Operation]] = {}
    for op in operations().values():
        by_method.setdefault(op.method, []).append(op)
    for ops in by_method.values():
        # More literal characters first, so /servers/renew beats /servers/{id}.
        ops.sort(key=lambda o: (-len(re.sub(r"\{[^}]+\}", "", o.template)), o.template))
    return RouteTable(by_method)
