"""For every declared action: the web form, the API serializer and the operation (or, for an action
run at once, the request itself) accept and refuse the same inputs.

Cases come from each input type's bounds (min-1, min, max, max+1 for numbers and text lengths,
list lengths and their items' bounds, a missing required field, a choice outside the choices) and
from its examples (a valid whole input, for types with a cross-field rule), so the test grows as
actions are declared in `panel.actions`. It also says which verdict is right, so the three cannot
agree on a wrong rule either. The web form is the one the action's page really uses.
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
from panel.services.context import parse_server_ref
from panel.web import action_forms
from panel.web.views.server_actions import ACTIONS as PAGES
from tests.actions.conftest import ACCOUNT, SERVER, SNAPSHOT

ACTIONS = registry.load_all()


def _declared_in(*modules: str) -> set[str]:
    """The names of the actions these modules of `panel.actions` declare."""
    import importlib

    from panel.actions.base import Action as _Action

    return {
        value.name
        for module in modules
        for value in vars(importlib.import_module(f"panel.actions.{module}")).values()
        if isinstance(value, _Action)
    }


# The account-wide areas are walked by test_adapters_agree_accounts.py (their own pages' forms).
ACCOUNT_AREAS = ("account", "billing", "library", "network", "support")
ACTIONS = {n: a for n, a in ACTIONS.items() if n not in _declared_in(*ACCOUNT_AREAS)}


@dataclass(frozen=True)
class Case:
    name: str
    data: dict[str, Any]
    valid: bool


# Text with a format of its own, made at a given length (the bounds are the type's; the shape is not
# "p" repeated): a host name of `n` characters, in labels of at most 63.
def _hostname(n: int) -> str:
    labels, left = [], n
    while left > 0:
        size = min(63, left if left <= 63 else 62)  # keep room for the dot before the next label
        labels.append("h" * size)
        left -= size + 1
    return ".".join(labels)[:n] if n else ""


TEXT_OF_LENGTH = {"hostname": _hostname}
# Items of a list that must differ and name something real (the servers of one renewal).
ITEMS = {"servers": lambda i: f"{ACCOUNT}:{2864 + i}", "name": lambda i: f"web-{i:02d}.example.com"}
BACKUP = f"{ACCOUNT}:77"


def _text(spec: FieldSpec, n: int) -> str:
    return TEXT_OF_LENGTH.get(spec.name, lambda n: "p" * n)(n)


def _good(spec: FieldSpec) -> Any:
    if spec.name in ITEMS:
        return [ITEMS[spec.name](0)]
    if spec.example is not None:
        return spec.example
    if spec.shape == "int":
        return spec.minimum if spec.minimum is not None else 1
    if spec.shape == "str":
        return "x" * max(spec.min_length or 1, 1)
    if spec.shape == "bool":
        return True
    if spec.shape == "choice":
        return spec.choices[0]
    return []


def _baseline(action: Action, fields: list[FieldSpec], about: str = "") -> dict[str, Any]:
    """A valid input to vary one field of: the type's first example naming `about` (inputs its
    cross-field rules accept, e.g. one per source of a deploy), else its first example, else its
    required fields."""
    extra = action.input.model_config.get("json_schema_extra")
    examples = list(extra.get("examples") or []) if isinstance(extra, dict) else []
    chosen = next((e for e in examples if about in e), examples[0] if examples else {})
    return {**{spec.name: _good(spec) for spec in fields if spec.required}, **chosen}


# Fields that name the action's target rather than describe it: the pipeline's authorisation (the
# team's accounts) refuses a wrong one, not the input type.
TARGET_FIELDS = {"account"}


def _examples(action: Action, key: str) -> list[dict[str, Any]]:
    """Inputs the type names itself (`json_schema_extra`): valid ones where a cross-field rule
    makes the required fields alone not enough (restore: one snapshot or one backup), and
    `invalid_examples` that only such a rule refuses."""
    extra = action.input.model_config.get("json_schema_extra")
    return list(extra.get(key, [])) if isinstance(extra, dict) else []  # type: ignore[arg-type]


def cases(action: Action) -> Iterator[Case]:
    fields = specs(action.input)
    yield Case("baseline", _baseline(action, fields), True)
    for i, example in enumerate(_examples(action, "examples")[1:], start=1):
        required = {spec.name: _good(spec) for spec in fields if spec.required}
        yield Case(f"example {i}", {**required, **example}, True)
    for i, example in enumerate(_examples(action, "invalid_examples")):
        yield Case(f"invalid example {i}", example, False)
    for spec in fields:
        if spec.name in TARGET_FIELDS:
            continue
        base = _baseline(action, fields, spec.name)

        def with_(value: Any, spec: FieldSpec = spec, base: dict[str, Any] = base) -> dict[str, Any]:
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
                yield Case(f"{spec.name} min-1 long", with_(_text(spec, spec.min_length - 1)), False)
                yield Case(f"{spec.name} min long", with_(_text(spec, spec.min_length)), True)
            if spec.max_length is not None:
                yield Case(f"{spec.name} max long", with_(_text(spec, spec.max_length)), True)
                yield Case(f"{spec.name} max+1 long", with_(_text(spec, spec.max_length + 1)), False)
            if spec.name in TEXT_OF_LENGTH:
                yield Case(f"{spec.name} not of its format", with_("-bad_name-"), False)
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
        if spec.shape == "str_list" and spec.name in ITEMS:
            make = ITEMS[spec.name]
            if spec.min_length:
                yield Case(f"{spec.name} no items", with_([]), False)
            if spec.max_length is not None:
                most = [make(i) for i in range(spec.max_length + 1)]
                yield Case(f"{spec.name} max items", with_(most[:-1]), True)
                yield Case(f"{spec.name} max+1 items", with_(most), False)
            yield Case(f"{spec.name} repeated", with_([make(0), make(0)]), False)


ALL_CASES = [(name, case) for name, action in sorted(ACTIONS.items()) for case in cases(action)]


# -- the three doors --------------------------------------------------------------------------------
# Forms of the server page's tabs (no confirmation page), by action.
QUICK_FORMS = {
    "servers_update_hostname": action_forms.HostnameForm,
    "servers_modify_isos": action_forms.IsoForm,
    "servers_update_ssh_keys": action_forms.SshKeysForm,
}
OFFERS = {"servers_modify_isos": "isos", "servers_update_ssh_keys": "keys"}


def _offered(data: dict[str, Any]) -> list[tuple[int, str]]:
    """What VPSBG would list for the page: every whole number the case names (bounds are the type's)."""
    values = [v for value in data.values() for v in (value if isinstance(value, list) else [value])]
    return [(v, f"#{v}") for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _page(action: Action) -> Any:
    return next((page for page in PAGES if page.declared is action), None)


def web_accepts(action: Action, data: dict[str, Any]) -> bool:
    """The form the action's page really uses (its confirmation turned off), else the derived one."""
    page = _page(action)
    fixed = {}
    if page is not None and page.fixed is not None:
        fixed = {k: data[k] for k in page.fixed(parse_server_ref(SERVER)) if k in data}
    lines = {spec.name for spec in specs(action.input) if spec.shape == "str_list"}
    posted = QueryDict(mutable=True)
    if action.target is Target.SNAPSHOT:  # the page's pick of the target, not the action's input
        posted["target"] = SNAPSHOT.rpartition(":")[2]
    for key, value in data.items():
        if key in fixed:
            continue
        if isinstance(value, list) and key in lines:
            posted[key] = "\n".join(str(v) for v in value)  # a text box, one a line
        elif isinstance(value, list):
            posted.setlist(key, [str(v) for v in value])
        else:
            posted[key] = "on" if value is True else str(value)
    if page is not None:
        form = page.form(posted, confirm=False, **({"fixed": fixed} if page.fixed else {}))
    elif action.name in QUICK_FORMS:
        offers = {OFFERS[action.name]: _offered(data)} if action.name in OFFERS else {}
        form = QUICK_FORMS[action.name](posted, **offers)
    else:
        form = form_class(action.input, forms.Form)(posted)
    # What the page adds of its own, filled as a person would: the password typed again, the
    # backup chosen among those listed.
    if "password_again" in form.fields:
        posted["password_again"] = posted.get("password", "")
    if "target" in form.fields and action.target is Target.SNAPSHOT:  # the snapshot picked
        form.fields["target"].choices = [(SNAPSHOT.rpartition(":")[2], "the snapshot")]
    elif "target" in form.fields:
        form.fields["target"].choices = [(f"backup:{BACKUP.rpartition(':')[2]}", "a backup")]
        posted["target"] = f"backup:{BACKUP.rpartition(':')[2]}"
    return form.is_valid()


def api_accepts(action: Action, data: dict[str, Any]) -> bool:
    """The endpoint's serializer; inputs its URL carries (an addon's id) go in the path instead."""
    endpoint = endpoints()[action.name]
    body, fixed = dict(data), {}
    for param in endpoint.path_params[1:]:
        if param.url_name in body:
            value = body.pop(param.url_name)
            if param.kind == "int" and not str(value).isdigit():
                return False  # the URL does not match: 404
            fixed[param.url_name] = int(value) if param.kind == "int" else value
    return endpoint.serializer(data=body, context={"fixed": fixed}).is_valid()


def _kind_params(action: Action, data: dict[str, Any]) -> dict[str, Any]:
    """What the operation is started with, before the input type has seen it."""
    if action.target is Target.SERVER:
        return {"server": SERVER, **data}
    if action.target is Target.BACKUP:
        return {"backup": BACKUP, **data}
    if action.target is Target.SNAPSHOT:
        return {"snapshot": SNAPSHOT, **data}
    return dict(data)


def operation_accepts(action: Action, data: dict[str, Any], actor: Any) -> bool:
    """The operation kind's own check for a long action; the request's for one run at once."""
    try:
        if action.mode is Mode.OPERATION:
            assert action.kind is not None
            KINDS[action.kind].prepare(actor, _kind_params(action, data))
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


def test_every_server_action_is_declared() -> None:
    """The server area's actions (snapshots aside: `panel.actions.snapshots`) are all declared, and
    the cases reach the rules that used to differ between the doors."""
    assert {
        "servers_start", "servers_restart", "servers_stop", "servers_power_off", "servers_reinstall",
        "servers_update_hostname", "servers_update_ssh_keys", "servers_modify_isos",
        "servers_change_password", "servers_rescue_enable", "servers_rescue_disable",
        "servers_change_primary_ip", "servers_set_measured_boot", "servers_renew", "servers_scale",
        "servers_addons_scale", "servers_addons_purchase", "servers_addons_cancel",
        "servers_addons_undo_cancel", "servers_cancel", "servers_undo_cancel", "backups_delete",
    } <= set(ACTIONS)  # fmt: skip
    names = {(n, case.name) for n, case in ALL_CASES}
    assert {("servers_reinstall", "password min-1 long"), ("servers_reinstall", "image_id missing"),
            ("servers_change_password", "password min-1 long"), ("servers_renew", "servers max+1 items"),
            ("servers_update_hostname", "hostname not of its format"),
            ("servers_addons_scale", "microsoft_rds_sal=max+1")} <= names  # fmt: skip


def test_every_page_of_a_declared_action_uses_the_derived_form() -> None:
    for page in PAGES:
        if page.declared is not None:
            assert page.form.input_type is page.declared.input  # type: ignore[attr-defined]
    for name, form in QUICK_FORMS.items():
        assert form.input_type is ACTIONS[name].input  # type: ignore[attr-defined]
