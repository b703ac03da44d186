"""Serializer fields for the few argument types DRF has no field for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

__all__ = ["StringOrListField", "StringOrMappingField"]


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "items": {"type": "string"}, "minItems": 1},
        ]
    }
)
class StringOrListField(serializers.Field):
    """One string or a list of strings (a server name, or one name per server to deploy)."""

    default_error_messages = {"invalid": "Give a text or a list of texts."}

    def to_internal_value(self, data: Any) -> str | list[str]:
        if isinstance(data, str) and data.strip():
            return data
        if isinstance(data, list) and data and all(isinstance(item, str) and item.strip() for item in data):
            return data
        self.fail("invalid")
        raise AssertionError  # pragma: no cover

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "string"}}]}
)
class StringOrMappingField(serializers.Field):
    """A text, or an object of texts (a reverse DNS name, or one per address)."""

    default_error_messages = {"invalid": "Give a text or an object of texts."}

    def to_internal_value(self, data: Any) -> str | dict[str, str]:
        if isinstance(data, str):
            return data
        if isinstance(data, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            return dict(data)
        self.fail("invalid")
        raise AssertionError  # pragma: no cover

    def to_representation(self, value: Any) -> Any:
        return value
