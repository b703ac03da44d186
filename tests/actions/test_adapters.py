"""The web form and the API serializer built from an input type show its rules: bounds, choices,
help text, and its cross-field validators."""

from __future__ import annotations

from typing import Literal

import pytest
from django import forms
from django.test import Client
from pydantic import Field, model_validator

from panel.actions.base import Input
from panel.actions.forms import form_class
from panel.actions.serializers import serializer_class


class Sample(Input):
    size: Literal["s", "m"] = Field(title="Size")
    count: int = Field(default=1, ge=1, le=10, description="How many.")
    note: str | None = Field(default=None, max_length=20)
    urgent: bool = False

    @model_validator(mode="after")
    def _urgent_needs_a_note(self) -> Sample:
        if self.urgent and not self.note:
            raise ValueError("An urgent request needs a note.")
        return self


SampleForm = form_class(Sample, forms.Form)
SampleSerializer = serializer_class(Sample, "Sample")


def test_the_form_has_the_types_fields_bounds_and_help() -> None:
    form = SampleForm()
    size, count = form.fields["size"], form.fields["count"]
    assert isinstance(size, forms.ChoiceField) and [c for c, _ in size.choices] == ["s", "m"]
    assert size.label == "Size" and size.required
    assert (count.min_value, count.max_value, count.help_text, count.required) == (1, 10, "How many.", False)
    assert form.fields["note"].max_length == 20


def test_a_cross_field_rule_shows_in_the_form_and_the_api() -> None:
    form = SampleForm({"size": "s", "urgent": "on"})
    assert not form.is_valid() and "An urgent request needs a note." in form.non_field_errors()
    serializer = SampleSerializer(data={"size": "s", "urgent": True})
    assert not serializer.is_valid()
    assert "An urgent request needs a note." in str(serializer.errors["non_field_errors"])
    form = SampleForm({"size": "s", "urgent": "on", "note": "now"})
    assert form.is_valid() and form.input == Sample(size="s", urgent=True, note="now")


@pytest.mark.parametrize("data", [{"size": "xl"}, {"size": "s", "count": 11}, {"count": 2}])
def test_what_the_type_refuses_both_refuse(data) -> None:
    assert not SampleForm(data).is_valid()
    assert not SampleSerializer(data=data).is_valid()


@pytest.mark.django_db
def test_the_published_schema_has_reinstalls_one_password_rule(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    body = schema["paths"]["/api/v1/servers/{server}/reinstall"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    component = schema["components"]["schemas"][ref]
    password = component["properties"]["password"]
    text = next(v for v in password.get("oneOf", [password]) if v.get("minLength"))  # or empty
    assert (text["minLength"], text["maxLength"]) == (12, 128)
    assert "image_id" in component["required"]
