"""For every declared action of the account-wide areas (billing, support, library, network,
account): the web form, the API serializer and the operation (or, for an action
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
from panel.web import forms as _library_forms  # noqa: F401  (registers the library pages' forms)
from panel.web import network_forms as _network_forms  # noqa: F401
from panel.web.action_runs import PAGE_FORMS
from panel.web.views import billing as _billing_pages  # noqa: F401
from panel.web.views.server_actions import ACTIONS as PAGES
from tests.actions.conftest import ACCOUNT, SERVER

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


# The server areas are walked by test_adapters_agree.py (the server pages' forms).
ACCOUNT_AREAS = ("account", "billing", "library", "network", "support")
ACTIONS = {n: a for n, a in ACTIONS.items() if n in _declared_in(*ACCOUNT_AREAS)}


@dataclass(frozen=True)
class Case:
    name: str
    data: dict[str, Any]
    valid: bool


def _good(spec: FieldSpec) -> Any:
    if spec.shape in ("int", "decimal"):
        return spec.minimum if spec.minimum is not None else 1
    if spec.shape == "str":
        return "x" * max(spec.min_length or 1, 1)
    if spec.shape == "bool":
        return True
    if spec.shape == "choice":
        return spec.choices[0]
    if spec.shape == "int_list":
        return [spec.minimum if spec.minimum is not None else 1] * max(spec.min_length or 0, 1)
    return []


# Inputs whose formats or cross-field rules a generated value cannot meet: a valid one, written out
# (the bounds' cases are still generated from it).
VALID: dict[str, dict[str, Any]] = {
    "balance_deposit": {"amount": 50, "payment_method": "card"},
    "ssh_keys_create": {"name": "laptop", "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0ZXN0 me@laptop"},
    "ssh_keys_update": {"name": "renamed", "key": "ssh-rsa AAAAB3NzaC1yc2E= me@laptop"},
    "isos_add": {"name": "alpine.iso", "url": "https://dl.example.org/alpine.iso"},
    "floating_ips_purchase": {"ipv4": 1, "ipv6": 1},
    "network_protection_geo_set": {"action": "deny", "countries": ["CN", "RU"]},
    "network_protection_geo_update": {"countries": ["CN"]},
    "network_protection_whitelist_set": {"networks": ["203.0.113.0/24"]},
    "network_protection_whitelist_update": {"networks": ["203.0.113.7/32"]},
    "network_protection_blacklist_set": {"networks": ["203.0.113.0/24"]},
    "network_protection_blacklist_update": {"active": False},
    "support_plans_purchase": {"plan": "professional", "billing_cycle": 1},
    "user_2fa_enable": {"secret_key": "TYFM77AMC6O2RPHA", "otp": "123456"},
    "user_2fa_disable": {"otp": "012345"},
    "user_update": {"city": "Plovdiv"},
    "support_tickets_create": {"department_id": 2, "subject": "Disk", "message": "Slow disk",
                               "service_id": 2864, "service_type": "server"},
    "affiliate_update_referral_code": {"referral_code": "my-code"},
}
# A value of the right shape that the input type's own format refuses (the type, not the field).
BAD_FORMAT: dict[str, list[tuple[str, Any, str]]] = {
    "ssh_keys_create": [("key", "-----BEGIN OPENSSH PRIVATE KEY-----", "a private key")],
    "isos_add": [("url", "not a url", "not a URL"), ("name", "alpine.img", "not an .iso")],
    "network_protection_geo_set": [("countries", ["XX"], "not a country")],
    "network_protection_whitelist_set": [("networks", ["10.0.0.1/8"], "host bits set")],
    "floating_ips_purchase": [
        ("", {"ipv4": 0, "ipv6": 0}, "nothing bought"),
        ("server", "no-server", "a server not written <account>:<id>"),
        ("server", f"{ACCOUNT}:2864", "a server of the team"),
    ],
    "user_update": [("vat_number", "123", "not a VAT number"), ("technical_email", "a@", "not an address")],
    "support_tickets_create": [("service_type", "", "a service without its type")],
    "user_2fa_enable": [("secret_key", "not base32!", "not base32"), ("otp", "12", "not six digits")],
    "user_2fa_disable": [("otp", "123 456", "six digits with a space"), ("otp", "1234567", "seven digits")],
    "affiliate_update_referral_code": [("referral_code", "a b c d e", "not URL-safe")],
}


def _email(length: int) -> str:
    """An address of `length` characters: a 60-letter name, then labels of at most 63 letters."""
    labels, left = [], length - 61 - len(".org")
    while left > 0:
        size = min(63, left)
        labels.append("b" * size)
        left -= size + 1
    domain = ".".join(label for label in labels if label) + ".org"
    return ("a" * (length - 1 - len(domain)) + "@" + domain)[:length]


# Text of a given length that meets a field's format, for its length cases.
FILL: dict[tuple[str, str], Any] = {
    ("floating_ips_purchase", "server"): None,  # a server of the team's account: its format bounds it
    ("isos_add", "name"): lambda n: "a" * (n - 4) + ".iso",
    ("isos_add", "url"): lambda n: "https://dl.example.org/" + "a" * (n - 23),
    ("ssh_keys_create", "key"): lambda n: "ssh-ed25519 " + "A" * (n - 12),
    ("ssh_keys_update", "key"): lambda n: "ssh-ed25519 " + "A" * (n - 12),
    ("user_update", "phone_number"): lambda n: "1" * n,
    ("user_update", "technical_email"): lambda n: _email(n),
    ("user_update", "vat_number"): lambda n: "BG" + "1" * (n - 2),
    ("user_2fa_enable", "otp"): None,  # six digits, however typed: the format bounds it
    ("user_2fa_disable", "otp"): None,
}


def _baseline(action: Action, fields: list[FieldSpec]) -> dict[str, Any]:
    if action.name in VALID:
        return dict(VALID[action.name])
    return {spec.name: _good(spec) for spec in fields if spec.required}


def target_of(action: Action) -> str:
    if action.target is Target.SERVER:
        return SERVER
    return f"{ACCOUNT}:77" if action.subject else ACCOUNT


def cases(action: Action) -> Iterator[Case]:
    fields = specs(action.input)
    base = _baseline(action, fields)
    yield Case("baseline", base, True)
    for name, value, why in BAD_FORMAT.get(action.name, []):
        changed = value if not name else {name: value}  # no name: several fields at once
        valid = why.startswith(("a server of the team", "six digits with"))
        yield Case(f"{name} {why}".strip(), {**base, **changed}, valid)
    for spec in fields:
        def with_(value: Any, spec: FieldSpec = spec) -> dict[str, Any]:
            return {**base, spec.name: value}

        if spec.required:
            yield Case(f"{spec.name} missing", {k: v for k, v in base.items() if k != spec.name}, False)
        if spec.shape in ("int", "decimal"):
            if spec.minimum is not None:
                yield Case(f"{spec.name}=min-1", with_(spec.minimum - 1), False)
                yield Case(f"{spec.name}=min", with_(spec.minimum), True)
            if spec.maximum is not None:
                yield Case(f"{spec.name}=max", with_(spec.maximum), True)
                yield Case(f"{spec.name}=max+1", with_(spec.maximum + 1), False)
            yield Case(f"{spec.name} not a number", with_("twelve"), False)
        if spec.shape == "decimal" and spec.decimal_places is not None:
            too_precise = "1." + "1" * (spec.decimal_places + 1)
            yield Case(f"{spec.name} one decimal too many", with_(too_precise), False)
        if spec.shape == "str":
            fill = FILL.get((action.name, spec.name), lambda n: "p" * n)
            if fill is None:
                continue
            if spec.min_length is not None and spec.min_length > 1:
                yield Case(f"{spec.name} min-1 long", with_(fill(spec.min_length - 1)), False)
                yield Case(f"{spec.name} min long", with_(fill(spec.min_length)), True)
            if spec.max_length is not None:
                yield Case(f"{spec.name} max long", with_(fill(spec.max_length)), True)
                yield Case(f"{spec.name} max+1 long", with_(fill(spec.max_length + 1)), False)
            if not spec.required:
                yield Case(f"{spec.name} empty", with_(""), True)
        if spec.shape == "choice":
            yield Case(f"{spec.name} not a choice", with_("no-such-choice"), False)
        if spec.shape == "int_list":
            item = spec.minimum if spec.minimum is not None else 1
            if spec.min_length:
                yield Case(f"{spec.name} no items", with_([]), False)
            if spec.max_length is not None:
                yield Case(f"{spec.name} max items", with_([item] * spec.max_length), True)
                yield Case(f"{spec.name} max+1 items", with_([item] * (spec.max_length + 1)), False)
            if spec.minimum is not None:
                yield Case(f"{spec.name} item min-1", with_([spec.minimum - 1]), False)
            if spec.maximum is not None:
                yield Case(f"{spec.name} item max", with_([spec.maximum]), True)
                yield Case(f"{spec.name} item max+1", with_([spec.maximum + 1]), False)


# Generated cases whose verdict a cross-field rule turns: (action, case) -> the right verdict.
CROSS_FIELD: dict[tuple[str, str], bool] = {
    ("support_tickets_create", "service_type empty"): False,  # a related service needs its type
}
ALL_CASES = [
    (name, Case(case.name, case.data, CROSS_FIELD.get((name, case.name), case.valid)))
    for name, action in sorted(ACTIONS.items())
    for case in cases(action)
]


# -- the three doors --------------------------------------------------------------------------------
def _web_form(action: Action) -> Any:
    """The form the action's page really uses (its confirmation turned off), else the derived one."""
    for page in PAGES:
        if page.declared is action:
            return lambda data: page.form(data, confirm=False)
    if action.name in PAGE_FORMS:  # the other areas' pages (no typed confirmation given: none asked)
        return PAGE_FORMS[action.name]
    return lambda data: form_class(action.input, forms.Form)(data)


def web_accepts(action: Action, data: dict[str, Any]) -> bool:
    posted = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            posted.setlist(key, [str(v) for v in value])
        else:
            posted[key] = "on" if value is True else str(value)
    return _web_form(action)(posted).is_valid()


def api_accepts(action: Action, data: dict[str, Any]) -> bool:
    """The body as a client sends it: the target in the path, or (no path) in `server`/`account`."""
    endpoint = endpoints()[action.name]
    fields = endpoint.serializer().fields
    body, fixed = dict(data), {}
    if "server" in fields and action.target is Target.SERVER:
        body["server"] = target_of(action)
    for param in endpoint.path_params[1:]:  # inputs the URL carries go in the path instead
        if param.url_name in body:
            value = body.pop(param.url_name)
            if param.kind == "int" and not str(value).isdigit():
                return False  # the URL does not match: 404
            fixed[param.url_name] = int(value) if param.kind == "int" else value
    return endpoint.serializer(data=body, context={"fixed": fixed}).is_valid()


def operation_accepts(action: Action, data: dict[str, Any], actor: Any) -> bool:
    """The operation kind's own check for a long action; the request's for one run at once."""
    target = target_of(action)
    try:
        if action.mode is Mode.OPERATION:
            assert action.kind is not None
            key = "server" if action.target is Target.SERVER else "account"
            KINDS[action.kind].prepare(actor, {key: target, **data})
        else:
            ActionRequest.create(action, actor=actor, target=target, data=data)
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


def test_every_area_is_declared() -> None:
    """The write actions of billing, support, library, network and account areas are declared,
    each with a risk class; what spends money says so and can tell its cost."""
    assert {"balance_deposit", "orders_pay", "orders_update", "orders_delete", "support_plans_purchase",
            "support_tickets_resolve", "ssh_keys_create", "isos_add", "floating_ips_purchase",
            "floating_ips_attach", "network_protection_geo_set", "network_protection_blacklist_delete",
            "user_update", "user_2fa_disable", "affiliate_update_referral_code"} <= set(ACTIONS)
    paying = {name for name, action in ACTIONS.items() if action.risk.value == "paying"}
    assert paying == {"balance_deposit", "orders_pay", "support_plans_purchase", "support_plans_renew",
                      "floating_ips_purchase"}
    assert all(ACTIONS[name].cost is not None for name in paying)


def test_every_converted_page_uses_the_derived_form() -> None:
    assert {"balance_deposit", "orders_update", "ssh_keys_create", "ssh_keys_update", "isos_add",
            "floating_ips_purchase", "network_protection_geo_set", "network_protection_geo_update",
            "network_protection_whitelist_set", "network_protection_blacklist_update"} <= set(PAGE_FORMS)
    for name, form in PAGE_FORMS.items():
        assert form.input_type is ACTIONS[name].input  # type: ignore[attr-defined]
