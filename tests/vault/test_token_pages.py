"""The token pages against the simulator over real HTTP: add, replace, check, delete, errors."""
from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.vault.models import ApiToken, TokenScope, TokenStatus

pytestmark = pytest.mark.django_db

ADD = reverse("vault:token_add")
LIST = reverse("vault:token_list")


def _add(browser, secret, name="production", scope=TokenScope.READ_WRITE):
    return browser.post(ADD, {"name": name, "scope": scope, "secret": secret})


def test_valid_token_is_checked_and_saved_with_its_account(team, client_for, simulator):
    browser = client_for(team, Role.OWNER)
    secret = simulator.tokens["alpha_rw"]

    response = _add(browser, secret)

    assert response.status_code == 302 and response["Location"] == LIST
    token = ApiToken.objects.get(team=team)
    assert token.status == TokenStatus.OK and token.checked_at is not None
    assert token.account_id and token.account_label
    assert token.last4 == secret[-4:]
    assert token.created_by == browser.membership.user
    page = browser.get(LIST).content.decode()
    assert "production" in page and f"••••{secret[-4:]}" in page and token.account_label in page


def test_bogus_token_is_refused_and_nothing_is_saved(team, client_for, simulator):
    browser = client_for(team)

    response = _add(browser, "bogus-token-that-vpsbg-does-not-know")

    assert response.status_code == 422
    assert "VPSBG rejected this token" in response.content.decode()
    assert 'value="production"' in response.content.decode()  # the other fields are kept
    assert not ApiToken.objects.exists()


def test_vpsbg_answering_503_gives_a_clear_form_error(team, client_for, simulator):
    browser = client_for(team)
    simulator.sim.faults.add(status=503)

    response = _add(browser, simulator.tokens["alpha_rw"])

    assert response.status_code == 422
    assert "VPSBG unavailable, try again" in response.content.decode()
    assert 'value="production"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_vpsbg_unreachable_gives_a_clear_form_error(team, client_for, settings, free_port):
    settings.VPSBG_API_URL = f"http://127.0.0.1:{free_port}/v1"
    settings.VPSBG_API_TIMEOUT = 1.0
    browser = client_for(team)

    response = _add(browser, "whatever-token-value")

    assert response.status_code == 422
    assert "VPSBG unavailable, try again" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_names_are_unique_per_team(team, other_team, client_for, simulator):
    browser = client_for(team)
    _add(browser, simulator.tokens["alpha_rw"])
    response = _add(browser, simulator.tokens["beta_rw"], name="Production")
    assert response.status_code == 422 and "already has a token with this name" in response.content.decode()
    assert _add(client_for(other_team), simulator.tokens["beta_rw"]).status_code == 302


def test_the_same_secret_is_not_stored_twice_under_two_names(team, other_team, client_for, simulator):
    browser = client_for(team)
    secret = simulator.tokens["alpha_rw"]
    assert _add(browser, secret).status_code == 302
    response = _add(browser, secret, name="production again")
    assert response.status_code == 422
    assert "already holds this token as “production”" in response.content.decode()
    assert list(ApiToken.objects.filter(team=team).values_list("name", flat=True)) == ["production"]
    # Found by a keyed fingerprint on the row, not by comparing plaintexts.
    [token] = ApiToken.objects.filter(team=team)
    assert len(token.secret_fingerprint) == 64 and secret not in token.secret_fingerprint
    assert _add(client_for(other_team), secret).status_code == 302  # another team holds its own


def test_replacing_a_secret_with_another_tokens_secret_is_refused(team, client_for, simulator):
    browser = client_for(team)
    _add(browser, simulator.tokens["alpha_rw"])
    _add(browser, simulator.tokens["alpha_ro"], name="read only", scope=TokenScope.READ_ONLY)
    token = ApiToken.objects.get(team=team, name="read only")
    response = browser.post(
        reverse("vault:token_replace", args=[token.pk]), {"secret": simulator.tokens["alpha_rw"]}
    )
    assert response.status_code == 422 and "already holds this token" in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).reveal_secret() == simulator.tokens["alpha_ro"]


def test_secret_with_spaces_is_refused_without_calling_vpsbg(team, client_for, settings, free_port):
    settings.VPSBG_API_URL = f"http://127.0.0.1:{free_port}/v1"
    response = _add(client_for(team), "two words")
    assert response.status_code == 422 and "no spaces" in response.content.decode()


@pytest.fixture
def saved(team, client_for, simulator):
    browser = client_for(team, Role.ADMIN)
    assert _add(browser, simulator.tokens["alpha_rw"]).status_code == 302
    return browser, ApiToken.objects.get(team=team)


def test_replacing_the_secret_keeps_the_token_and_its_history(saved, simulator):
    browser, token = saved
    new_secret = simulator.tokens["alpha_ro"]  # same account, another token

    response = browser.post(reverse("vault:token_replace", args=[token.pk]), {"secret": new_secret})

    assert response.status_code == 302
    token2 = ApiToken.objects.get(pk=token.pk)
    assert token2.reveal_secret() == new_secret and token2.last4 == new_secret[-4:]
    assert token2.created_at == token.created_at and token2.created_by == token.created_by
    assert token2.rotated_at is not None and token2.rotation_count == 1


def test_replacing_with_another_accounts_token_is_refused(saved, simulator):
    browser, token = saved

    response = browser.post(
        reverse("vault:token_replace", args=[token.pk]), {"secret": simulator.tokens["beta_rw"]}
    )

    assert response.status_code == 422
    assert "belongs to another VPSBG account" in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).reveal_secret() == simulator.tokens["alpha_rw"]


def test_replacing_with_a_rejected_token_is_refused(saved):
    browser, token = saved
    response = browser.post(reverse("vault:token_replace", args=[token.pk]), {"secret": "nope-nope-nope"})
    assert response.status_code == 422 and "VPSBG rejected this token" in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).rotation_count == 0


def test_delete_needs_the_exact_name(saved):
    browser, token = saved
    url = reverse("vault:token_delete", args=[token.pk])

    wrong = browser.post(url, {"confirm_name": "prod"})
    assert wrong.status_code == 422 and ApiToken.objects.filter(pk=token.pk).exists()

    right = browser.post(url, {"confirm_name": "production"})
    assert right.status_code == 302 and not ApiToken.objects.filter(pk=token.pk).exists()


def test_check_now_reports_a_revoked_token(saved, simulator):
    browser, token = saved
    del simulator.sim.tokens[simulator.tokens["alpha_rw"]]

    response = browser.post(reverse("vault:token_check", args=[token.pk]), follow=True)

    assert ApiToken.objects.get(pk=token.pk).status == TokenStatus.REVOKED
    assert "Revoked" in response.content.decode()


def test_viewer_sees_the_list_but_no_management(saved, team, client_for):
    viewer = client_for(team, Role.VIEWER)
    page = viewer.get(LIST)
    assert page.status_code == 200 and "production" in page.content.decode()
    assert ADD not in page.content.decode()
    assert viewer.get(ADD).status_code == 403


def test_another_teams_token_answers_404(saved, other_team, client_for):
    _, token = saved
    outsider = client_for(other_team, Role.OWNER)
    for name in ("vault:token_replace", "vault:token_delete"):
        assert outsider.get(reverse(name, args=[token.pk])).status_code == 404
    assert outsider.post(reverse("vault:token_check", args=[token.pk])).status_code == 404
    delete = outsider.post(reverse("vault:token_delete", args=[token.pk]), {"confirm_name": "production"})
    assert delete.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    "name,args,data",
    [
        ("vault:token_add", [], {"name": "x", "scope": "read_write", "secret": "abc"}),
        ("vault:token_replace", ["pk"], {"secret": "abc"}),
        ("vault:token_check", ["pk"], {}),
        ("vault:token_delete", ["pk"], {"confirm_name": "production"}),
    ],
)
def test_every_post_needs_a_csrf_token(saved, team, client_for, name, args, data):
    _, token = saved
    browser = client_for(team, Role.OWNER, enforce_csrf=True)
    url = reverse(name, args=[token.pk if a == "pk" else a for a in args])
    assert browser.post(url, data).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()
