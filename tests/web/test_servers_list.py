"""The servers list: every account's servers, search, filters, sort, fragment vs full page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from tests.web.conftest import BETA, UBUNTU

pytestmark = pytest.mark.django_db

URL = reverse("web:servers")


def test_lists_servers_of_every_account(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "ubuntu-2gb" in body and "beta-web.example" in body
    assert "Alpha Ops Ltd" in body and "Beta Hosting Ltd" in body
    assert reverse("web:server_detail", kwargs={"ref": UBUNTU}) in body


def test_filters_by_account_and_plan(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    body = browser.get(URL, {"account": BETA}).content.decode()
    assert "beta-web.example" in body and "ubuntu-2gb" not in body
    body = browser.get(URL, {"plan": "cloud-vps-16gb"}).content.decode()
    assert "analytics.alpha.example" in body and "ubuntu-2gb" not in body


def test_search_is_sent_upstream(web_team, member_of) -> None:
    body = member_of(Role.VIEWER).get(URL, {"q": "web-0"}).content.decode()
    assert "web-01.alpha.example" in body and "analytics.alpha.example" not in body


def test_sorts_by_hostname_both_ways(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    body = browser.get(URL, {"sort": "hostname"}).content.decode()
    assert body.index("analytics.alpha.example") < body.index("web-02.alpha.example")
    body = browser.get(URL, {"sort": "-hostname"}).content.decode()
    assert body.index("analytics.alpha.example") > body.index("web-02.alpha.example")


def test_bad_filter_values_fall_back_to_defaults(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL, {"sort": "nonsense", "status": "<script>"})
    assert response.status_code == 200
    assert "ubuntu-2gb" in response.content.decode()


def test_htmx_gets_only_the_table(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL, headers={"HX-Request": "true", "HX-Target": "server-table"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("{#") is False and "<html" not in body
    assert 'id="server-table"' in body and "ubuntu-2gb" in body
    assert "HX-Request" in response["Vary"]


def test_full_page_has_layout_and_vary(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL)
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_scoped_member_sees_only_their_servers(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    body = browser.get(URL).content.decode()
    assert "ubuntu-2gb" in body and "web-01.alpha.example" not in body and "beta-web.example" not in body


def test_upstream_down_shows_message_and_retry(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("servers_list", status=503)
    response = member_of(Role.VIEWER).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Retry" in body
    assert "Traceback" not in body


def test_no_tokens_is_an_empty_list_not_an_error(team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL)
    assert response.status_code == 200
    assert "0 servers" in response.content.decode()
