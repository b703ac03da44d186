"""For every declared action: the web form, the API serializer and the operation (or, for an action
run at once, the request itself) accept and refuse the same inputs.

Cases come from each input type's bounds (min-1, min, max, max+1 for numbers and text lengths,
list lengths and their items' bounds, a missing required field, a choice outside the choices), so
the test grows as actions are converted to `panel.actions`. It also says which verdict is right,
so the three cannot agree on a wrong rule either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.http import QueryDict

from panel.actions import registry
from panel.actions.base import Action, Mode, Target
from panel.actions.fields import FieldSpec, specs
from panel.actions.forms import form_class
from panel.actions.request import ActionRequest
from panel.api.endpoints import endpoints
from panel.core.errors import InvalidInput
from panel.operations.kinds.registry import KINDS
from panel.web.views.server_actions import ACTIONS as PAGES
from tests.actions.conftest import SERVER, SNAPSHOT

ACTIONS = registry.load_all()


@dataclass(frozen=True)
class Case:
    name: str
    data: dict[str, Any]
    valid: bool


def _good(spec: FieldSpec) -> Any:
    if spec.shape == "int":
        return spec.minimum if spec.minimum is not None else 1
    if spec.shape == "str":
        return "x" * max(spec.min_length or 1, 1)
    if spec.shape == "bool":
        return True
    if spec.shape == "choice":
        return spec.choices[0]
    return []


def _baseline(fields: list[FieldSpec]) -> dict[str, Any]:
    return {spec.name: _good(spec) for spec in fields if spec.required}


def _examples(action: Action, key: str) -> list[dict[str, Any]]:
    """Inputs the type names itself (`json_schema_extra`): valid ones where a cross-field rule
    makes the required fields alone not enough (restore: one snapshot or one backup), and
    `invalid_examples` that only such a rule refuses."""
    extra = action.input.model_config.get("json_schema_extra")
    return list(extra.get(key, [])) if isinstance(extra, dict) else []  # type: ignore[arg-type]


def cases(action: Action) -> Iterator[Case]:
    fields = specs(action.input)
    examples = _examples(action, "examples")
    base = {**(examples[0] if examples else {}), **_baseline(fields)}
    yield Case("baseline", base, True)
    for i, example in enumerate(examples[1:], start=1):
        yield Case(f"example {i}", {**example, **_baseline(fields)}, True)
    for i, example in enumerate(_examples(action, "invalid_examples")):
        yield Case(f"invalid example {i}", example, False)
    for spec in fields:
        base = next(
            ({**example, **_baseline(fields)} for example in examples if spec.name in example),
            {**(examples[0] if examples else {}), **_baseline(fields)},
        )
        def with_(value: Any, spec: FieldSpec = spec) -> dict[str, Any]:
            return {**base, spec.name: value}

        if spec.required:
            yield Case(f"{spec.name} missing", {k: v for k, v in base.items() if k != spec.name}, False)
        if spec.shape == "int":
            if spec.minimum is not None:
                yield Case(f"{spec.name}=min-1", with_(spec.minimum - 1), False)
                yield Case(f"{spec.name}=min", with_(spec.minimum), True)
            if spec.maximum is not None:
                yield Case(f"{spec.name}=max", with_(spec.maximum), True)
                yield Case(f"{spec.name}=max+1", with_(spec.maximum + 1), False)
            yield Case(f"{spec.name} not a number", with_("twelve"), False)
        if spec.shape == "str":
            if spec.min_length is not None and spec.min_length > 1:
                yield Case(f"{spec.name} min-1 long", with_("p" * (spec.min_length - 1)), False)
                yield Case(f"{spec.name} min long", with_("p" * spec.min_length), True)
            if spec.max_length is not None:
                yield Case(f"{spec.name} max long", with_("p" * spec.max_length), True)
                yield Case(f"{spec.name} max+1 long", with_("p" * (spec.max_length + 1)), False)
            if not spec.required:
                yield Case(f"{spec.name} empty", with_(""), True)
        if spec.shape == "choice":
            yield Case(f"{spec.name} not a choice", with_("no-such-choice"), False)
        if spec.shape == "int_list":
            item = spec.minimum if spec.minimum is not None else 1
            if spec.max_length is not None:
                yield Case(f"{spec.name} max items", with_([item] * spec.max_length), True)
                yield Case(f"{spec.name} max+1 items", with_([item] * (spec.max_length + 1)), False)
            if spec.minimum is not None:
                yield Case(f"{spec.name} item min-1", with_([spec.minimum - 1]), False)
            if spec.maximum is not None:
                yield Case(f"{spec.name} item max", with_([spec.maximum]), True)
                yield Case(f"{spec.name} item max+1", with_([spec.maximum + 1]), False)


ALL_CASES = [(name, case) for name, action in sorted(ACTIONS.items()) for case in cases(action)]


# -- the three doors --------------------------------------------------------------------------------
def _web_form(action: Action) -> Any:
    """The form the action's page really uses (its confirmation turned off), else the derived one."""
    for page in PAGES:
        if page.declared is action:
            offered = {"target": [(SNAPSHOT.rpartition(":")[2], "the snapshot")]}
            return lambda data: page.form(
                data, confirm=False, choices=offered if action.target is Target.SNAPSHOT else None
            )
    return lambda data: form_class(action.input, forms.Form)(data)


def web_accepts(action: Action, data: dict[str, Any]) -> bool:
    posted = QueryDict(mutable=True)
    if action.target is Target.SNAPSHOT:  # the page's pick of the target, not the action's input
        posted["target"] = SNAPSHOT.rpartition(":")[2]
    for key, value in data.items():
        if isinstance(value, list):
            posted.setlist(key, [str(v) for v in value])
        else:
            posted[key] = "on" if value is True else str(value)
    return _web_form(action)(posted).is_valid()


def api_accepts(action: Action, data: dict[str, Any]) -> bool:
    return endpoints()[action.name].serializer(data=data).is_valid()


def operation_accepts(action: Action, data: dict[str, Any], actor: Any) -> bool:
    """The operation kind's own check for a long action; the request's for one run at once."""
    try:
        if action.mode is Mode.OPERATION:
            assert action.kind is not None
            target = {"snapshot": SNAPSHOT} if action.target is Target.SNAPSHOT else {"server": SERVER}
            KINDS[action.kind].prepare(actor, {**target, **data})
        else:
            ActionRequest.create(action, actor=actor, target=SERVER, data=data)
    except InvalidInput:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "case"), ALL_CASES, ids=[f"{n}: {c.name}" for n, c in ALL_CASES])
def test_web_api_and_operation_agree(name: str, case: Case, actor: Any) -> None:
    action = ACTIONS[name]
    verdicts = {
        "web form": web_accepts(action, case.data),
        "API": api_accepts(action, case.data),
        "operation": operation_accepts(action, case.data, actor),
    }
    expected = {door: case.valid for door in verdicts}
    assert verdicts == expected, f"{name}, {case.name}: accepted by {verdicts}"


def test_the_slice_is_registered() -> None:
    """Power and reinstall are converted; the cases cover reinstall's password at 11/12/128/129."""
    assert {"servers_start", "servers_restart", "servers_stop", "servers_power_off",
            "servers_reinstall"} <= set(ACTIONS)
    names = {case.name for n, case in ALL_CASES if n == "servers_reinstall"}
    assert {"password min-1 long", "password min long", "password max long", "password max+1 long",
            "image_id missing"} <= names


def test_every_converted_page_uses_the_derived_form() -> None:
    for page in PAGES:
        if page.declared is not None:
            assert page.form.input_type is page.declared.input  # type: ignore[attr-defined]
