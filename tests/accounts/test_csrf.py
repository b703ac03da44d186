"""CSRF is enforced on every form: a POST without the token is refused everywhere."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from panel.accounts.roles import Role
from tests.permission_matrix import URLS

pytestmark = pytest.mark.django_db


def _url(name: str, team) -> str:
    try:
        return reverse(name, kwargs=URLS[name][2](team))
    except LookupError as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("name", sorted(URLS))
def test_post_without_token_is_refused(name: str, team, member_of) -> None:
    owner = member_of(Role.OWNER, enforce_csrf=True)
    url = _url(name, team)
    assert owner.post(url, {}).status_code == 403
    assert Client(enforce_csrf_checks=True).post(url, {}).status_code == 403


def test_post_with_the_token_is_accepted(team, member_of) -> None:
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("accounts:login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post(reverse("accounts:login"), {"csrfmiddlewaretoken": token, "username": "a@b.test",
                                                        "password": "x"})
    assert response.status_code == 200  # the form answered (wrong password), CSRF passed


@pytest.mark.parametrize("page", ["accounts:team", "accounts:security", "accounts:teams", "accounts:login"])
def test_every_form_on_our_pages_carries_the_token(page: str, team, member_of) -> None:
    browser = Client() if page == "accounts:login" else member_of(Role.OWNER)
    html = browser.get(reverse(page)).content.decode()
    forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
    assert forms
    for form in forms:
        assert 'name="csrfmiddlewaretoken"' in form
