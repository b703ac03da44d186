"""Completeness guards: every public client method is tested, names are the documented ones."""

from __future__ import annotations

import inspect
import pathlib
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

import vpsbg_api
from vpsbg_api import METHODS, OPERATIONS, Client
from vpsbg_api.areas import AREAS

from .fakes import Reply, make_client


def public_methods() -> set[tuple[str, str]]:
    found = set()
    for area, cls in AREAS.items():
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                found.add((area, name))
    return found


WALKS = sorted(m for m in public_methods() if m[1].endswith("iter_all"))
UNREAD = sorted(m for m in public_methods() if m[1].endswith("_unread"))


def test_every_public_method_has_a_test() -> None:
    """Operations are exercised by the contract test over OPERATIONS; walks and unread companions
    by the tests below."""
    operations = set(METHODS.values())
    untested = public_methods() - operations - set(WALKS) - set(UNREAD)
    assert not untested, f"public client methods without a test: {sorted(untested)}"
    assert all(OPERATIONS[op].area == a and OPERATIONS[op].method == m for op, (a, m) in METHODS.items())


@pytest.mark.parametrize(("area", "method"), WALKS, ids=[f"{a}.{m}" for a, m in WALKS])
def test_every_walk_method_follows_pages(area: str, method: str) -> None:
    list_name = "list" if method == "iter_all" else method.replace("iter_all", "list")
    assert hasattr(AREAS[area], list_name)
    pages = [
        Reply(200, json={"data": [{"id": "1"}], "meta": {"current_page": 1, "last_page": 2}}),
        Reply(200, json={"data": [{"id": "2"}], "meta": {"current_page": 2, "last_page": 2}}),
    ]
    client, adapter = make_client(pages)
    walk = getattr(getattr(client, area), method)
    path_args = [
        name for name, p in inspect.signature(walk).parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD
    ]
    items = list(walk(*[3 for _ in path_args]))
    assert len(items) == 2
    assert [parse_qs(urlsplit(r.url).query).get("page") for r in adapter.requests] == [["1"], ["2"]]


@pytest.mark.parametrize(("area", "method"), UNREAD, ids=[f"{a}.{m}" for a, m in UNREAD])
def test_every_unread_companion_sends_what_its_list_sends_and_reads_the_same_page(
    area: str, method: str
) -> None:
    list_name = method.removesuffix("_unread")
    listed = getattr(AREAS[area], list_name)
    companion = getattr(AREAS[area], method)
    assert inspect.signature(companion).parameters == inspect.signature(listed).parameters
    answer = {"data": [{"id": 7}], "meta": {"current_page": 1, "last_page": 2}}
    client, adapter = make_client([Reply(200, json=answer)])
    page = getattr(getattr(client, area), list_name)(per_page=5, page=1)
    unread = getattr(getattr(client, area), method)(per_page=5, page=1)
    assert adapter.requests[0].url == adapter.requests[1].url
    assert unread.read() == page and unread.read() is unread.read()


@pytest.mark.parametrize(
    ("operation_id", "attribute"),
    [
        ("user_get", "user.get"),
        ("user_2fa_enable", "user.two_factor_enable"),
        ("user_2fa_disable", "user.two_factor_disable"),
        ("user_2fa_get_secret", "user.two_factor_secret"),
        ("balance_get", "balance.get"),
        ("servers_reinstall", "servers.reinstall"),
        ("servers_list", "servers.list"),
        ("servers_addons_list", "servers.addons_list"),
        ("orders_pay", "orders.pay"),
        ("network_protection_whitelist_set", "network_protection.whitelist_set"),
        ("support_tickets_create", "support.tickets_create"),
        ("support_plans_purchase", "support_plans.purchase"),
        ("ssh_keys_create", "ssh_keys.create"),
        ("floating_ips_attach", "floating_ips.attach"),
        ("measured_boot_images_upload", "measured_boot.images_upload"),
    ],
)
def test_operation_names_map_to_documented_client_attributes(operation_id: str, attribute: str) -> None:
    assert ".".join(METHODS[operation_id]) == attribute
    client = Client("t")
    area, method = attribute.split(".")
    assert callable(getattr(getattr(client, area), method))


def test_every_area_is_an_attribute_of_the_client() -> None:
    client = Client("t")
    for area, cls in AREAS.items():
        assert isinstance(getattr(client, area), cls)


def test_client_package_imports_no_django() -> None:
    package = pathlib.Path(vpsbg_api.__file__).parent
    for path in package.rglob("*.py"):
        if "simulator" in path.parts:
            continue
        assert not re.search(r"^\s*(from|import)\s+django", path.read_text(), re.M), path
    code = "import sys, vpsbg_api; print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=package.parent
    )
    assert out.stdout.strip() == "False"


def test_routes_come_from_the_reference_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong inferred path is fixed in openapi.json, not in code: the client follows the data."""
    from vpsbg_api import spec

    route = spec.ROUTES["servers_reinstall"]
    assert (route.method, route.path, route.verified) == ("POST", "/servers/{id}/reinstall", False)
    fixed = spec.Route(route.operation_id, "PUT", "/servers/{id}/rebuild", True, False, ("id",))
    monkeypatch.setitem(spec.ROUTES, "servers_reinstall", fixed)
    client, adapter = make_client([Reply(200, json={})])
    client.servers.reinstall(5, image_id=73)
    assert (adapter.last.method, adapter.last.path_url) == ("PUT", "/v1/servers/5/rebuild")
