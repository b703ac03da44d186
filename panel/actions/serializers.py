"""A DRF serializer (and so the OpenAPI request body drf-spectacular draws) built from an action's
input type: the same fields, bounds and choices, then the type's own validators."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from rest_framework import serializers

from .fields import FieldSpec, errors_by_field, specs
from .forms import uploads

__all__ = ["serializer_class"]


class OneOrManyField(serializers.ListField):
    """A list of text that also takes one text alone (a single hostname is a list of one)."""

    def to_internal_value(self, data: Any) -> list[Any]:
        return super().to_internal_value([data] if isinstance(data, str) else data)


def _field(spec: FieldSpec) -> serializers.Field:
    common: dict[str, Any] = {"label": spec.label, "help_text": spec.help or None, "required": spec.required}
    if not spec.required:
        common["allow_null"] = True
    if spec.shape == "int":
        return serializers.IntegerField(min_value=spec.minimum, max_value=spec.maximum, **common)
    if spec.shape == "decimal":
        return serializers.DecimalField(
            max_digits=None,
            decimal_places=spec.decimal_places,
            min_value=spec.minimum,
            max_value=spec.maximum,
            coerce_to_string=False,
            **common,
        )
    if spec.shape == "str":
        return serializers.CharField(
            min_length=spec.min_length,
            max_length=spec.max_length,
            allow_blank=not spec.required,
            trim_whitespace=False,
            style={"input_type": "password"} if spec.secret else {},
            **common,
        )
    if spec.shape == "bool":
        return serializers.BooleanField(**common)
    if spec.shape == "choice":
        return serializers.ChoiceField(choices=[(c, spec.choice_label(c)) for c in spec.choices], **common)
    child: serializers.Field
    kind: type[serializers.ListField] = serializers.ListField
    if spec.shape == "files":
        child = serializers.FileField(allow_empty_file=True)
    elif spec.shape == "int_list":
        child = serializers.IntegerField(min_value=spec.minimum, max_value=spec.maximum)
    else:
        child = serializers.CharField()
        kind = OneOrManyField
    return kind(
        child=child, min_length=spec.min_length, max_length=spec.max_length, **common
    )


def serializer_class(
    model: type[BaseModel], name: str, *, fixed: tuple[str, ...] = ()
) -> type[serializers.Serializer[Any]]:
    """A serializer class named `name` (the schema's component name) for `model`.

    Its `validated_data` is the input type's own dump (plus a subclass's own fields), so what the
    API accepts is what the action runs with. `fixed` names fields that are not in the body (the
    URL gives them): the view passes them as `context={"fixed": {...}}`.
    """
    fields = specs(model)

    names = {spec.name for spec in fields}
    files = {spec.name for spec in fields if spec.shape == "files"}

    def validate(self: serializers.Serializer[Any], attrs: dict[str, Any]) -> dict[str, Any]:
        values = {k: v for k, v in attrs.items() if k in names and not (v is None and not _required(k))}
        values.update(self.context.get("fixed") or {})
        for name in files:
            if values.get(name):
                values[name] = uploads(values[name])
        others = {k: v for k, v in attrs.items() if k not in names}  # a subclass's own (the reason)
        try:
            return {**others, **model.model_validate(values).model_dump()}
        except ValidationError as exc:
            raise serializers.ValidationError(
                {name or "non_field_errors": messages for name, messages in errors_by_field(exc).items()}
            ) from None

    def _required(name: str) -> bool:
        return any(spec.name == name and spec.required for spec in fields)

    attrs: dict[str, Any] = {spec.name: _field(spec) for spec in fields if spec.name not in fixed}
    attrs["validate"] = validate
    attrs["__module__"] = model.__module__
    attrs["__doc__"] = model.__doc__ or f"The input of {name}."
    return type(name, (serializers.Serializer,), attrs)
