"""Owners choose the provider, the domains and whether passwords still work; every change is logged."""
from __future__ import annotations

import time

import pytest
from django.test import Client

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.sso.config import load_providers
from panel.sso.models import ExternalIdentity, RoleRule, TeamSignIn
from panel.sso.sessions import SIGNED_IN_AT
from tests.factories import PASSWORD, MembershipFactory

ENV = {"OIDC_CORP_ISSUER": "https://id.example.com", "OIDC_CORP_CLIENT_ID": "panel",
       "OIDC_CORP_CLIENT_SECRET": "s3cret", "OIDC_CORP_NAME": "Corp ID"}


@pytest.fixture(autouse=True)
def _corp(settings) -> None:
    settings.OIDC_PROVIDERS = load_providers(ENV, ["corp"])


@pytest.fixture
def owner(member_of):
    return member_of(Role.OWNER)


def _save(browser: Client, **fields):
    data = {"provider": "corp", "domains": "example.com", "password_sign_in": "on", **fields}
    return browser.post("/team/sign-in/", {k: v for k, v in data.items() if v is not None})


def test_the_page_shows_the_configured_providers(owner) -> None:
    page = owner.get("/team/sign-in/").content.decode()
    assert "Corp ID" in page and "No rule yet" in page


def test_an_owner_saves_the_provider_and_domains(owner, team) -> None:
    response = _save(owner, domains="Example.com, @ops.example.org example.com")
    assert response.status_code == 302
    sign_in = TeamSignIn.objects.get(team=team)
    assert (sign_in.provider, sign_in.allowed_domains) == ("corp", ["example.com", "ops.example.org"])
    event = AuditEvent.objects.get(operation_id="sso.settings_changed")
    assert event.params["before"]["provider"] == "" and event.outcome == "ok"


def test_a_bad_domain_is_named_and_nothing_is_saved(owner, team) -> None:
    response = _save(owner, domains="example.com, not a domain!")
    assert response.status_code == 422
    assert "Not an email domain: not, a, domain!" in response.content.decode()
    assert not TeamSignIn.objects.filter(team=team, provider="corp").exists()


def test_passwords_stay_on_until_an_owner_signs_in_with_the_provider(owner, team) -> None:
    response = _save(owner, password_sign_in=None)
    assert response.status_code == 422
    assert "no owner would have a way in" in response.content.decode()
    assert AuditEvent.objects.get(operation_id="sso.settings_changed").outcome == "failed"
    ExternalIdentity.objects.create(user=owner.membership.user, provider="corp", subject="owner-1")
    assert _save(owner, password_sign_in=None).status_code == 302
    assert TeamSignIn.objects.get(team=team).password_sign_in is False


def test_a_member_of_a_team_without_passwords_cannot_sign_in_with_one(team) -> None:
    owner = MembershipFactory(team=team, role=Role.OWNER)
    ExternalIdentity.objects.create(user=owner.user, provider="corp", subject="owner-1")
    TeamSignIn.objects.create(team=team, provider="corp", password_sign_in=False)
    member = MembershipFactory(team=team, role=Role.VIEWER)
    browser = Client()
    response = browser.post("/accounts/login/", {"username": member.user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Acme signs in with Corp ID, not with a password." in response.content.decode()
    assert "_auth_user_id" not in browser.session
    event = AuditEvent.objects.filter(operation_id="accounts.sign_in").latest("pk")
    assert (event.outcome, event.target_label) == ("denied", member.user.email)


def test_rules_are_added_and_removed_with_an_audit_event_each(owner, team) -> None:
    response = owner.post("/team/sign-in/rules/", {"claim": "groups", "value": "ops", "role": "operator"})
    assert response.status_code == 302
    rule = RoleRule.objects.get(team=team)
    again = owner.post("/team/sign-in/rules/", {"claim": "groups", "value": "ops", "role": "admin"})
    assert "exists; remove it first" in again.content.decode()
    owner.post(f"/team/sign-in/rules/{rule.pk}/remove/")
    assert not RoleRule.objects.filter(team=team).exists()
    events = AuditEvent.objects.filter(team=team).order_by("pk")
    outcomes = list(events.values_list("operation_id", "outcome"))
    assert outcomes == [("sso.rule_added", "ok"), ("sso.rule_added", "failed"), ("sso.rule_removed", "ok")]


def test_a_session_ends_at_its_maximum_age(owner, settings) -> None:
    assert owner.get("/team/").status_code == 200
    session = owner.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_MAX_AGE - 1
    session.save()
    response = owner.get("/team/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert owner.get("/team/")["Location"].startswith("/accounts/login/")


def test_the_server_administrator_can_turn_passwords_back_on(team) -> None:
    from django.core.management import call_command

    TeamSignIn.objects.create(team=team, provider="corp", password_sign_in=False)
    call_command("allow_password_sign_in", team.slug)
    assert TeamSignIn.objects.get(team=team).password_sign_in is True
    event = AuditEvent.objects.get(operation_id="sso.settings_changed", team=team)
    assert event.actor_name == "server administrator (manage.py)"


def test_a_person_disabled_in_the_panel_loses_a_provider_session_at_once(team) -> None:
    member = MembershipFactory(team=team, role=Role.VIEWER)
    browser = Client()
    browser.force_login(member.user, backend="panel.sso.oidc.ProviderBackend")
    assert browser.get("/team/").status_code == 200
    member.user.is_active = False
    member.user.save()
    assert browser.get("/team/")["Location"].startswith("/accounts/login/")
