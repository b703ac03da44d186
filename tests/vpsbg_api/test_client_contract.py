"""Contract, client side: every operation of the reference sends what the reference describes,
and reads each answer the reference lists for it (typed results, and every error status).

Parametrized from `vpsbg_api/openapi.json` itself, so a new operation in the data without a
client method (or a method sending the wrong route or body) fails here.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import json
import keyword
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from vpsbg_api import (
    METHODS,
    OPERATIONS,
    AuthenticationError,
    Client,
    Download,
    Locked,
    NotFound,
    Page,
    PermissionDenied,
    RateLimited,
    UpstreamError,
    ValidationError,
    VpsbgError,
)
from vpsbg_api.spec import load_reference

from .fakes import Reply, body_json, make_client

SPEC = load_reference()
SPEC_URI = "urn:vpsbg-reference"
REGISTRY: Registry = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(SPEC))
HTTP = ("get", "post", "put", "patch", "delete")


def reference_operations() -> dict[str, tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    ops = {}
    for path, item in SPEC["paths"].items():
        for method in HTTP:
            if method in item:
                op = item[method]
                params = [
                    SPEC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                    for p in [*item.get("parameters", []), *op.get("parameters", [])]
                ]
                ops[op["operationId"]] = (method.upper(), path, op, params)
    return ops


OPS = reference_operations()


def deref(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = SPEC
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def absolute_refs(node: Any) -> Any:
    """The schema with its `#/...` references pointing into the registered reference."""
    if isinstance(node, dict):
        return {
            k: (SPEC_URI + v if k == "$ref" and v.startswith("#") else absolute_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [absolute_refs(v) for v in node]
    return node


def sample(schema: dict[str, Any]) -> Any:
    """A value valid for `schema`: its example when it has one, else the simplest of its type."""
    schema = deref(schema)
    if "example" in schema:
        return copy.deepcopy(schema["example"])
    if "examples" in schema and isinstance(schema["examples"], list) and schema["examples"]:
        return copy.deepcopy(schema["examples"][0])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if deref(o).get("type") != "null"]
            return sample(options[0])
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind == "integer":
        return 7
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") == "binary":
            return b"file-bytes"
        if "ssh-" in schema.get("pattern", ""):
            return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3x user@example.com"
        return "t" * max(6, schema.get("minLength", 0))
    if kind == "array":
        return [sample(schema.get("items", {}))] * max(1, schema.get("minItems", 1))
    return {k: sample(v) for k, v in schema.get("properties", {}).items()}


def kwarg_name(name: str) -> str:
    """The client's keyword for a reference field or parameter name (see vpsbg_api.operations)."""
    name = name.replace("[]", "")
    if name.startswith("filter[") and name.endswith("]"):
        name = name[7:-1]
    elif name.startswith("sort[") and name.endswith("]"):
        name = "sort_" + name[5:-1]
    name = re.sub(r"\W", "_", name)
    return name + "_" if keyword.iskeyword(name) else name


def case(operation_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(kwargs for the call, expected path values) built from the reference alone."""
    _method, _path, op, params = OPS[operation_id]
    kwargs: dict[str, Any] = {}
    path_values: dict[str, str] = {}
    for p in params:
        if p["in"] == "path":
            value = p.get("example", sample(p.get("schema", {})))
            if (
                isinstance(value, str)
                and p.get("schema", {}).get("type") == "string"
                and p["name"] != "attack_id"
            ):
                value = p.get("example", "417")
            kwargs[p["name"]] = value
            path_values[p["name"]] = str(value)
        elif p["in"] == "query" and p.get("required"):
            kwargs[kwarg_name(p["name"])] = sample(p.get("schema", {}))
    body = op.get("requestBody")
    if body:
        _ctype, content = next(iter(body["content"].items()))
        schema = deref(content.get("schema", {}))
        for name, field in schema.get("properties", {}).items():
            value = sample(field)
            if name.endswith("[]") and isinstance(value, list):
                value = [b"attachment-bytes"]
            kwargs[kwarg_name(name)] = value
    return kwargs, path_values


def answer_for(request: Any) -> Reply:
    return Reply(204)


@pytest.fixture
def client_and_adapter() -> tuple[Client, Any]:
    return make_client(answer_for)


def test_every_reference_operation_has_a_contract_case_and_a_method() -> None:
    assert set(OPS) == set(OPERATIONS) == set(METHODS)
    assert len(OPS) == 115


@pytest.mark.parametrize("operation_id", sorted(OPS))
def test_client_sends_what_the_reference_describes(operation_id: str, client_and_adapter: Any) -> None:
    client, adapter = client_and_adapter
    method, path, op, params = OPS[operation_id]
    kwargs, path_values = case(operation_id)
    try:
        OPERATIONS[operation_id](client, **kwargs)
    except UpstreamError:
        pass  # the canned empty answer may not fit the result model; answers are tested below
    assert len(adapter.requests) == 1, "one call, one request"
    sent = adapter.last
    assert sent.method == method
    url = urlsplit(sent.url)
    expected_path = "/v1" + path.format(**path_values)
    assert url.path == expected_path
    query = parse_qs(url.query)
    for p in params:
        if p["in"] == "query" and p.get("required"):
            assert p["name"] in query
    assert sent.headers["Authorization"] == "Bearer tok_SECRET_abc123"
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["User-Agent"]
    body = op.get("requestBody")
    if not body:
        assert not sent.body
        return
    ctype, content = next(iter(body["content"].items()))
    if ctype == "multipart/form-data":
        assert sent.headers["Content-Type"].startswith("multipart/form-data")
        raw = sent.body if isinstance(sent.body, bytes) else sent.body.encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + sent.headers["Content-Type"].encode() + b"\r\n\r\n" + raw
        )
        names = {part.get_param("name", header="content-disposition") for part in message.iter_parts()}
        schema = deref(content["schema"])
        assert set(schema.get("required", [])) <= names
        assert set(schema.get("properties", {})) <= names
        return
    assert sent.headers["Content-Type"] == "application/json"
    payload = body_json(sent)
    validator = Draft202012Validator(absolute_refs(content.get("schema", {})), registry=REGISTRY)
    errors = [e.message for e in validator.iter_errors(payload)]
    assert not errors, f"{operation_id} body {payload!r}: {errors}"


def response_examples() -> list[tuple[str, Any]]:
    found = []
    for operation_id, (_m, _p, op, _params) in OPS.items():
        for code, response in op.get("responses", {}).items():
            if not code.startswith("2"):
                continue
            content = (response.get("content") or {}).get("application/json")
            if not content:
                continue
            examples = []
            if "example" in content:
                examples.append(content["example"])
            for named in (content.get("examples") or {}).values():
                if isinstance(named, dict) and "value" in named:
                    examples.append(named["value"])
            if not examples and "$ref" in content.get("schema", {}):
                target = deref(content["schema"])
                if "example" in target:
                    examples.append(target["example"])
            found.extend((operation_id, ex) for ex in examples)
    return found


EXAMPLES = response_examples()


def test_reference_has_response_examples_to_check() -> None:
    assert len(EXAMPLES) >= 25


@pytest.mark.parametrize(("operation_id", "example"), EXAMPLES, ids=[op for op, _ in EXAMPLES])
def test_client_parses_the_reference_example_into_its_typed_result(operation_id: str, example: Any) -> None:
    client, _adapter = make_client([Reply(200, json=example)])
    kwargs, _ = case(operation_id)
    result = OPERATIONS[operation_id](client, **kwargs)
    assert result is not None
    if isinstance(result, Page):
        assert result.items or example.get("data") == []
    elif not isinstance(result, dict | list | Download):
        assert type(result).__module__ == "vpsbg_api.models"
        assert json.dumps(result.model_dump(mode="json"))


ERROR_CLASSES: dict[str, type[VpsbgError]] = {
    "401": AuthenticationError,
    "403": PermissionDenied,
    "404": NotFound,
    "422": ValidationError,
    "423": Locked,
    "429": RateLimited,
    "500": UpstreamError,
}


def error_answers() -> list[tuple[str, str]]:
    """Every (operation, status) of an error answer the reference lists, its conventional ones too."""
    return sorted(
        (operation_id, code)
        for operation_id, (_m, _p, op, _params) in OPS.items()
        for code in op.get("responses", {})
        if code[0] in "45"
    )


def error_body(operation_id: str, code: str) -> dict[str, Any]:
    """A body of the shape the reference gives this answer (checked against its schema)."""
    body: dict[str, Any] = {"message": f"Refused with {code}."}
    if code == "422":
        body["errors"] = {"name": ["The name field is required."]}
    response = OPS[operation_id][2]["responses"][code]
    if "$ref" in response:
        response = deref(response)
    schema = (response.get("content") or {}).get("application/json", {}).get("schema")
    if schema is not None:
        validator = Draft202012Validator(absolute_refs(schema), registry=REGISTRY)
        assert not [e.message for e in validator.iter_errors(body)], f"{operation_id} {code}: {body}"
    return body


def test_every_error_status_of_the_reference_has_an_error_class() -> None:
    assert {code for _op, code in error_answers()} == set(ERROR_CLASSES)
    assert sum(1 for _op, code in error_answers() if code == "401") == len(OPS)


@pytest.mark.parametrize(("operation_id", "code"), error_answers())
def test_client_raises_what_each_documented_error_answer_means(operation_id: str, code: str) -> None:
    body = error_body(operation_id, code)
    client, _adapter = make_client([Reply(int(code), json=body, headers={"Retry-After": "7"})])
    kwargs, _ = case(operation_id)
    with pytest.raises(ERROR_CLASSES[code]) as raised:
        OPERATIONS[operation_id](client, **kwargs)
    error = raised.value
    assert type(error) is ERROR_CLASSES[code]
    assert (error.status, error.operation_id, error.message) == (int(code), operation_id, body["message"])
    if code == "422":
        assert error.fields == body["errors"]
    if code == "429":
        assert error.retry_after == 7
