"""Generic request validation from the reference's schemas, with Laravel-style messages."""

from __future__ import annotations

from typing import Any, NoReturn

from jsonschema.exceptions import ValidationError as SchemaError

from .errors import ApiError
from .spec import Operation, registry

_TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
}


def _field(error: SchemaError) -> str:
    return ".".join(str(p) for p in error.absolute_path)


def _messages(error: SchemaError) -> list[tuple[str, str]]:
    field = _field(error)
    label = field or "body"
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        return [
            (f"{field}.{name}" if field else name, f"The {name} field is required.")
            for name in value
            if name not in instance
        ]
    if kind == "type":
        types = value if isinstance(value, list) else [value]
        words = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in types if t != "null")
        return [(label, f"The {label} field must be {words}.")]
    if kind == "minimum":
        return [(label, f"The {label} field must be at least {value}.")]
    if kind == "maximum":
        return [(label, f"The {label} field must not be greater than {value}.")]
    if kind == "minLength":
        return [(label, f"The {label} field must be at least {value} characters.")]
    if kind == "maxLength":
        return [(label, f"The {label} field must not be greater than {value} characters.")]
    if kind == "minItems":
        return [(label, f"The {label} field must have at least {value} items.")]
    if kind == "maxItems":
        return [(label, f"The {label} field must not have more than {value} items.")]
    if kind == "enum":
        return [(label, f"The selected {label} is invalid.")]
    if kind == "pattern":
        return [(label, f"The {label} field format is invalid.")]
    return [(label, f"The {label} field is invalid.")]


def _coerce_form(schema: dict[str, Any], body: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    """Form fields arrive as text; coerce them to the schema's scalar types before validating."""
    props = schema.get("properties", {})
    data: dict[str, Any] = {}
    for key, value in body.items():
        kind = props.get(key, {}).get("type")
        if kind == "integer":
            try:
                value = int(value)
            except (TypeError, ValueError):
                pass
        elif kind == "boolean" and isinstance(value, str):
            value = value.lower() in ("1", "true", "on", "yes")
        data[key] = value
    for key, uploads in files.items():
        data[key] = (
            [u.filename for u in uploads]
            if props.get(key, {}).get("type") == "array"
            else uploads[0].filename
        )
    return data


def validate_body(op: Operation, body: Any, files: dict[str, Any]) -> None:
    """Raise 422 with ``errors`` per field when the body breaks the reference's schema.

    Multipart bodies are coerced in place (``body`` is updated) so handlers get typed values.
    """
    if op.body_validator is None:
        return
    if op.body_media == "multipart/form-data":
        if not isinstance(body, dict):
            raise ApiError(422, "The request must be multipart/form-data.")
        coerced = _coerce_form(op.body_schema or {}, body, files)
        body.update({k: v for k, v in coerced.items() if k not in files})
        instance = coerced
    else:
        instance = body
    if not isinstance(instance, dict):
        raise ApiError(
            422, "The request body must be a JSON object.", {"body": ["The body must be an object."]}
        )
    errors = _field_errors(op, instance)
    if errors:
        raise_validation(errors)


def _field_errors(op: Operation, instance: Any) -> dict[str, list[str]]:
    """Laravel-style messages per field for everything `instance` breaks in the body schema."""
    errors: dict[str, list[str]] = {}
    if op.body_validator is None:
        return errors
    for error in op.body_validator.iter_errors(instance):
        for field, message in _messages(error):
            errors.setdefault(field, [])
            if message not in errors[field]:
                errors[field].append(message)
    return errors


def refuse_missing_body(op: Operation) -> NoReturn:
    """422 for a required body that never came, with what Laravel's rules would say of no input.

    A schema with required fields names each of them; one without (every field optional, but
    some body expected) says so the way Laravel's ``required_without_all`` rule does.
    """
    errors = _field_errors(op, {})
    if not errors:
        schema = op.body_validator.schema if op.body_validator is not None else {}
        names = list(_properties(schema))
        for name in names:
            others = [other for other in names if other != name]
            errors[name] = [
                f"The {name} field is required when none of {' / '.join(others)} are present."
                if others
                else f"The {name} field is required."
            ]
    if not errors:
        errors["body"] = ["The request body is required."]
    raise_validation(errors)


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    """The body schema's properties, following its ``$ref``s through the reference."""
    resolver = registry().resolver()
    while "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        schema, resolver = resolved.contents, resolved.resolver
    return schema.get("properties", {})


def raise_validation(errors: dict[str, list[str]]) -> NoReturn:
    first = next(iter(errors.values()))[0]
    extra = sum(len(v) for v in errors.values()) - 1
    message = first if extra == 0 else f"{first} (and {extra} more error{'s' if extra > 1 else ''})"
    raise ApiError(422, message, errors)
