"""A `VPSBG_API_URL` without its `/v1` is told as the configuration error it is, once per page.

Not "VPSBG has no account … (it may have been deleted)" for each account and each part of the
dashboard: the dashboard, the servers list, the tokens page and /healthz all name the setting.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.vault.models import ApiToken, TokenStatus

pytestmark = pytest.mark.django_db

SAYS = "VPSBG_API_URL"


@pytest.fixture
def wrong_url(web_team, simulator, settings) -> str:
    settings.VPSBG_API_URL = simulator.base_url.removesuffix("/v1")
    return settings.VPSBG_API_URL


def test_dashboard_says_once_that_the_setting_is_wrong(wrong_url, member_of) -> None:
    body = member_of(Role.OWNER).get(reverse("web:dashboard")).content.decode()
    assert body.count(SAYS) == 1 and f"({wrong_url})" in body and "ends in /v1" in body
    assert "may have been deleted" not in body


def test_servers_list_says_it_once(wrong_url, member_of) -> None:
    body = member_of(Role.VIEWER).get(reverse("web:servers")).content.decode()
    assert body.count(SAYS) == 1 and "may have been deleted" not in body


def test_tokens_page_says_it_and_a_check_does_not_blame_the_token(wrong_url, member_of, web_team) -> None:
    owner = member_of(Role.OWNER)
    token = ApiToken.objects.get(team=web_team, name="alpha_rw")
    page = owner.post(reverse("vault:token_check", args=[token.pk]), follow=True).content.decode()
    assert SAYS in page and "ends in /v1" in page
    token.refresh_from_db()
    assert token.status == TokenStatus.OK  # the token is not at fault: nothing to replace
    body = owner.get(reverse("vault:token_list")).content.decode()
    assert body.count(SAYS) == 1 and 'id="api-url-problem"' in body


def test_adding_a_token_names_the_setting(wrong_url, member_of, simulator) -> None:
    form = {"name": "new", "scope": "read_write", "secret": simulator.tokens["alpha_ro"]}
    response = member_of(Role.OWNER).post(reverse("vault:token_add"), form)
    assert response.status_code != 302 and SAYS in response.content.decode()
    assert not ApiToken.objects.filter(name="new").exists()


def test_healthz_fails_with_the_reason(wrong_url, client) -> None:
    response = client.get("/healthz")
    check = response.json()["checks"]["vpsbg_api_url"]
    assert response.status_code == 503 and check["ok"] is False and SAYS in check["error"]


def test_right_url_is_healthy_and_a_missing_server_is_still_missing(web_team, member_of, client) -> None:
    assert client.get("/healthz").json()["checks"]["vpsbg_api_url"]["ok"] is True
    body = member_of(Role.VIEWER).get(reverse("web:server_detail", args=["ops@alpha.example:999999"]))
    assert SAYS not in body.content.decode()
