"""Every role x every panel URL answers as the permission table says; anonymous → sign-in; outsider → 404.

The registry is `tests/permission_matrix.py`; a guard fails when a named URL is missing from it.
"""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from panel.accounts.permissions import LIMITED_REFUSED, LIMITED_SCOPED_READS, ROLE_PERMISSIONS
from panel.accounts.roles import Role
from tests.permission_matrix import EXCLUDED_PREFIXES, MATRIX_ACCOUNT, PUBLIC, URLS


def _named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_named_url_is_in_the_matrix() -> None:
    names = {n for n in _named_urls(get_resolver()) if not n.startswith(EXCLUDED_PREFIXES)}
    missing = sorted(names - set(URLS))
    assert not missing, f"Add these URL names to tests/permission_matrix.py: {missing}"


def test_matrix_has_no_stale_entries() -> None:
    names = _named_urls(get_resolver())
    stale = sorted(set(URLS) - names)
    assert not stale, f"tests/permission_matrix.py lists URLs that no longer exist: {stale}"


def test_matrix_actions_exist_in_the_permission_table() -> None:
    unknown = {name: a for name, (_, a, _) in URLS.items()
               if a not in (None, PUBLIC) and a not in ROLE_PERMISSIONS}
    assert not unknown


def _url(name: str, team) -> str:
    _, _, build = URLS[name]
    try:
        kwargs = build(team)
    except LookupError as exc:
        pytest.skip(f"{name}: {exc}")
    return reverse(name, kwargs=kwargs)


def _call(browser: Client, name: str, url: str):
    method = URLS[name][0]
    return browser.post(url) if method == "POST" else browser.get(url)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("name", sorted(URLS))
def test_role_gets_what_the_table_says(name: str, role: Role, team, member_of) -> None:
    browser = member_of(role)
    url = _url(name, team)
    response = _call(browser, name, url)
    action = URLS[name][1]
    assert response.status_code < 500
    if action in (None, PUBLIC) or role in ROLE_PERMISSIONS[action]:
        assert response.status_code not in (403, 404), (name, role, response.status_code)
        if response.status_code == 302:
            to_login = response["Location"].startswith(reverse(settings.LOGIN_URL))
            assert not to_login or name == "accounts:logout"
    else:
        assert response.status_code == 403, (name, role, response.status_code)
        assert role.label in response.content.decode()  # the 403 page says which role was refused


@pytest.mark.parametrize("name", sorted(URLS))
def test_anonymous_is_sent_to_sign_in(name: str, team) -> None:
    url = _url(name, team)
    response = _call(Client(), name, url)
    if URLS[name][1] == PUBLIC:
        assert response.status_code in (200, 302)
        return
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize(
    "name", sorted(n for n, (_, action, build) in URLS.items() if action not in (None, PUBLIC)
                   and build.__name__ != "no_kwargs")
)
def test_another_teams_objects_answer_404(name: str, team, outsider_client) -> None:
    url = _url(name, team)
    response = _call(outsider_client, name, url)
    assert response.status_code == 404


SCOPE_RULED = sorted(  # (URL name, a role the table allows) of the actions the server scope rules
    (name, role) for name, (_, action, _) in URLS.items()
    if action in LIMITED_REFUSED or action in LIMITED_SCOPED_READS
    for role in Role if role in ROLE_PERMISSIONS[action]
)


@pytest.mark.parametrize(("name", "role"), SCOPE_RULED, ids=[f"{n}-{r.value}" for n, r in SCOPE_RULED])
def test_a_member_limited_to_servers_gets_no_account_money(name: str, role: Role, team, member_of) -> None:
    """The account's money and secrets are refused (403 saying why); order pages are filtered."""
    action = URLS[name][1]
    url = _url(name, team)
    browser = member_of(role)
    browser.membership.server_scope = [f"{MATRIX_ACCOUNT}:2864"]
    browser.membership.save()
    response = _call(browser, name, url)
    assert response.status_code < 500
    if action in LIMITED_REFUSED:
        assert response.status_code == 403, (name, role, response.status_code)
        assert "limited to chosen servers" in response.content.decode()
    else:
        assert response.status_code not in (403, 404), (name, role, response.status_code)
