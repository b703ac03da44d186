"""Every API endpoint x every role answers as the role table says; anonymous 401; outsider 404.

A team holding a VPSBG token for the referenced account but no reachable upstream: a permitted
role gets past the role table (and then some 4xx from the missing upstream or the empty body),
a refused one gets 403 before anything else. The registry is `tests/api/api_matrix.py`.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from panel.accounts.permissions import LIMITED_REFUSED, LIMITED_SCOPED_READS, ROLE_PERMISSIONS
from panel.accounts.roles import Role
from panel.api.endpoints import endpoints
from panel.vault.models import ApiToken, TokenScope, TokenStatus

from .api_matrix import GUARDRAIL_OBJECTS, PUBLIC, matrix
from .conftest import ALPHA

MATRIX = matrix()
CASES = sorted((name, method) for name, methods in MATRIX.items() for method in methods)


def _api_urls(resolver: URLResolver, namespace: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found.update(_api_urls(pattern, prefix))
        elif isinstance(pattern, URLPattern) and pattern.name and namespace.startswith("api:"):
            found[namespace + pattern.name] = pattern.callback
    return found


def _methods(callback: Any) -> set[str]:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    names = getattr(cls, "http_method_names", ["get"])
    return {m.upper() for m in names if hasattr(cls, m) and m not in ("head", "options")}


def test_every_api_endpoint_and_method_is_in_the_matrix() -> None:
    urls = _api_urls(get_resolver())
    missing = sorted(
        f"{method} {name}"
        for name, callback in urls.items()
        for method in _methods(callback)
        if method not in MATRIX.get(name, {})
    )
    assert not missing, f"Add these API endpoints to tests/api/api_matrix.py: {missing}"
    stale = sorted(set(MATRIX) - set(urls))
    assert not stale, f"tests/api/api_matrix.py lists endpoints that no longer exist: {stale}"


def test_matrix_actions_exist_in_the_role_table() -> None:
    assert {a for methods in MATRIX.values() for a in methods.values()} - set(ROLE_PERMISSIONS) == {PUBLIC}


def _kwargs(name: str, team, client: APIClient) -> dict[str, Any]:
    from panel.audit.recorder import record
    from panel.operations.models import Operation

    if name == "api:audit_detail":
        return {"pk": record(team=team, operation_id="servers_restart", outcome="ok").pk}
    if name == "api:operation_detail":
        return {"pk": Operation.objects.create(kind="reinstall", team=team).pk}
    if name == "api:api_token_revoke":
        return {"pk": client.token.pk}
    if name in BATCH_URLS:
        from tests.permission_matrix import _batch

        return _batch(team)
    if name in SCHEDULE_URLS:
        from tests.permission_matrix import _schedule

        return _schedule(team)
    if name in GUARDRAIL_OBJECTS:
        from tests import permission_matrix as web

        kind = GUARDRAIL_OBJECTS[name]
        special = {"approval": web._approval_request, "elevation": web._elevation}
        build = special.get(kind) or web._guardrail(kind)
        return build(team)
    op = next(iter(MATRIX[name].values()))
    values = {"ref": f"{ALPHA}:1", "int": 1, "str": "server"}
    return {p.url_name: values[p.kind] for p in endpoints()[op].path_params} if op in endpoints() else {}


BATCH_URLS = ("api:bulk_detail", "api:bulk_retry")
SCHEDULE_URLS = ("api:schedule_detail", "api:schedule_pause", "api:schedule_resume", "api:schedule_runs")


def _owned_object_in_path(name: str) -> bool:
    """The path names an object of the team (a VPSBG object by reference, or a local row)."""
    if name in ("api:audit_detail", "api:operation_detail", *BATCH_URLS, *SCHEDULE_URLS) or (
        name in GUARDRAIL_OBJECTS
    ):
        return True
    op = next(iter(MATRIX[name].values()))
    return op in endpoints() and any(p.kind == "ref" for p in endpoints()[op].path_params)


def _call(client: APIClient, method: str, url: str):
    return getattr(client, method.lower())(url, {}, format="json") if method != "GET" else client.get(url)


@pytest.fixture
def vpsbg_account(team) -> None:
    """The team holds a token for ALPHA (never called: nothing listens at VPSBG_API_URL)."""
    token = ApiToken(
        team=team,
        name="alpha",
        scope=TokenScope.READ_WRITE,
        account_id=ALPHA,
        account_label=ALPHA,
        status=TokenStatus.OK,
    )
    token.set_secret("vpsbg-not-reachable-0000")
    token.save()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{m}-{n}" for n, m in CASES])
def test_role_gets_what_the_table_says(name: str, method: str, role: Role, team, api, vpsbg_account) -> None:
    action = MATRIX[name][method]
    client = api(role)
    url = reverse(name, kwargs=_kwargs(name, team, client))
    response = _call(client, method, url)
    assert response.status_code < 500 or response.status_code in (502, 503), (response.status_code, url)
    if action == PUBLIC or role in ROLE_PERMISSIONS[action]:
        assert response.status_code not in (401, 403), (url, role, response.content[:300])
    else:
        assert response.status_code == 403, (url, role, response.status_code)
        assert role.label in response.json()["error"]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{m}-{n}" for n, m in CASES])
def test_anonymous_gets_401(name: str, method: str, team, api) -> None:
    url = reverse(name, kwargs=_kwargs(name, team, api()))
    response = _call(APIClient(), method, url)
    if MATRIX[name][method] == PUBLIC:
        assert response.status_code == 200
    else:
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


OWNED = [(n, m) for n, m in CASES if _owned_object_in_path(n)]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), OWNED, ids=[f"{m}-{n}" for n, m in OWNED])
def test_another_teams_objects_answer_404(
    name: str, method: str, team, other_team, api, vpsbg_account
) -> None:
    kwargs = _kwargs(name, team, api())
    outsider = api(Role.OWNER, in_team=other_team)
    response = _call(outsider, method, reverse(name, kwargs=kwargs))
    assert response.status_code == 404, (name, response.status_code, response.content[:200])


@pytest.mark.django_db
def test_another_members_token_cannot_be_revoked(api) -> None:
    mine, theirs = api(), api()
    assert mine.post(f"/api/v1/api-tokens/{theirs.token.pk}/revoke").status_code == 404


SCOPE_RULED = sorted(  # (URL name, method, a role the table allows) of the actions the server scope rules
    (name, method, role) for name, method in CASES
    if (action := MATRIX[name][method]) in LIMITED_REFUSED or action in LIMITED_SCOPED_READS
    for role in Role if role in ROLE_PERMISSIONS[action]
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "role"), SCOPE_RULED, ids=[f"{m}-{n}-{r.value}" for n, m, r in SCOPE_RULED]
)
def test_a_member_limited_to_servers_gets_no_account_money(
    name: str, method: str, role: Role, team, api, vpsbg_account
) -> None:
    """The account's money and secrets are refused (403 saying why); orders are filtered."""
    action = MATRIX[name][method]
    client = api(role, scope=[f"{ALPHA}:1"])
    response = _call(client, method, reverse(name, kwargs=_kwargs(name, team, client)))
    assert response.status_code < 500 or response.status_code in (502, 503), (response.status_code, name)
    if action in LIMITED_REFUSED:
        assert response.status_code == 403, (name, role, response.status_code)
        assert "limited to chosen servers" in response.json()["error"]["message"]
    else:
        assert response.status_code not in (401, 403), (name, role, response.content[:300])
