"""/metrics is never public: only the configured bearer token or an allowed address gets the figures.

This is the guard of the `metrics` URL (tests/permission_matrix.py leaves it out because no role
grants it): every role of a signed-in member is refused like an anonymous caller.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from panel.accounts.roles import Role
from panel.core.metrics_access import check_token_setting, parse_networks, scrape_allowed

TOKEN = "metrics-token-0123456789abcdef"

pytestmark = pytest.mark.django_db


def test_off_when_nothing_is_configured(settings, member_of) -> None:
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert member_of(Role.OWNER).get("/metrics").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer wrong-token-0123456789", f"Basic {TOKEN}", f"Bearer {TOKEN}x",
     f"Bearer {TOKEN[:-1]}"],
)
def test_refused_without_the_exact_token(settings, authorization: str) -> None:
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = TOKEN, []
    response = Client().get("/metrics", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"panel_" not in response.content


def test_the_token_opens_it(settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    response = Client().get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert b"# TYPE panel_metrics_source_up gauge" in response.content
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_a_signed_in_member_of_any_role_is_refused(settings, member_of, role: Role) -> None:
    settings.METRICS_TOKEN = TOKEN
    response = member_of(role).get("/metrics")
    assert response.status_code == 401
    assert b"panel_" not in response.content


def test_staff_session_is_refused_too(settings, admin_client) -> None:
    settings.METRICS_TOKEN = TOKEN
    assert admin_client.get("/metrics").status_code == 401


def test_allowed_addresses(settings) -> None:
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["10.20.0.0/16", "::1"]
    assert Client(REMOTE_ADDR="10.20.3.4").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.21.0.1").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403


def test_only_get(settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    response = Client().post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405


def test_plain_http_is_not_redirected(settings) -> None:
    """Prometheus scrapes inside the network over HTTP, like the health probes."""
    settings.METRICS_TOKEN, settings.SECURE_SSL_REDIRECT = TOKEN, True
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert Client().get("/servers/").status_code == 301


def test_bad_settings_stop_the_start_with_a_clear_message() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"METRICS_ALLOWED_IPS: 'prometheus\.internal'"):
        parse_networks(["10.0.0.1", "prometheus.internal"])
    with pytest.raises(ImproperlyConfigured, match="at least 16 characters"):
        check_token_setting("short")
    assert check_token_setting("") == ""
    assert parse_networks([" ", "10.0.0.0/8"])[0].num_addresses == 2**24


def test_a_bad_client_address_never_matches() -> None:
    assert not scrape_allowed(authorization="", remote_addr="", token="", networks=["0.0.0.0/0"])
    assert not scrape_allowed(authorization="", remote_addr="not-an-ip", token="", networks=["0.0.0.0/0"])
    assert scrape_allowed(authorization=f"bearer {TOKEN}", remote_addr="", token=TOKEN, networks=[])
