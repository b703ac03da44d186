"""The page layout: navigation by area, sign-out, CSRF for htmx, assets from our own origin only."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import RequestFactory

from panel.core.navigation import AREAS

pytestmark = pytest.mark.django_db


def _render() -> str:
    user = get_user_model().objects.create_user(email="layout@example.com", password="x-long-password-1")
    request = RequestFactory().get("/audit/")
    request.user = user
    request.session = {}
    request._messages = []  # type: ignore[attr-defined]
    return render_to_string("core/home.html", request=request)


@pytest.fixture
def page(settings) -> str:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return _render()


def test_every_area_is_in_the_navigation(page) -> None:
    nav = page[page.index('aria-label="Main"') :]
    for area in AREAS:
        assert f">{area.label}</a>" in nav


def test_areas_without_a_page_are_disabled_not_broken(settings, monkeypatch) -> None:
    from panel.core import navigation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(navigation, "AREAS", (*AREAS, navigation.NavItem("Later", ("web:not_built_yet",))))
    page = _render()
    disabled = re.findall(r'<a href="#" aria-disabled="true"[^>]*>(\w+)</a>', page)
    assert set(disabled) == {"Later"}  # every real area has its page; the made-up one is disabled
    assert '<a href="/audit/" aria-current="page">Audit</a>' in page


def test_user_menu_has_a_post_sign_out_with_csrf(page) -> None:
    form = re.search(r'<form method="post" action="([^"]+)" class="signout">(.*?)</form>', page, re.S)
    assert form and form.group(1) == "/accounts/logout/"
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert "layout@example.com" in page


def test_htmx_gets_the_csrf_token_and_no_inline_script(page) -> None:
    assert re.search(r"<body hx-headers='\{&quot;X-CSRFToken&quot;: &quot;\w+&quot;\}'>|"
                     r"<body hx-headers='\{\"X-CSRFToken\": \"\w+\"\}'>", page)
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all('src="/static/' in attrs for attrs in scripts)
    assert "<style" not in page and "style=" not in page
    assert 'href="/static/vendor/pico/pico.min.css"' in page
    assert 'src="/static/vendor/htmx/htmx.min.js"' in page


def test_layout_is_responsive_and_accessible(page) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<html lang="en">' in page
    assert 'href="#main"' in page and 'id="main"' in page


def test_pages_are_served_with_a_strict_csp(client) -> None:
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_vendored_files_are_served(client, settings) -> None:
    """Served by whitenoise (from the source folders here, as in DEBUG; collected files in production)."""
    settings.WHITENOISE_USE_FINDERS = True
    assets = ("/static/vendor/htmx/htmx.min.js", "/static/vendor/pico/pico.min.css", "/static/favicon.svg")
    for path in assets:
        response = client.get(path)
        assert response.status_code == 200, path


def test_only_the_deepest_matching_area_is_current() -> None:
    from panel.core.navigation import build_navigation

    active = [item["label"] for item in build_navigation("/team/tokens/") if item["active"]]
    assert active == ["Tokens"]
    active = [item["label"] for item in build_navigation("/team/") if item["active"]]
    assert active == ["Team"]
