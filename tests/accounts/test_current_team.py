"""The current team: chosen in the session, defaulting to the first membership; shown in templates."""
from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from panel.accounts.roles import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.fixtures_accounts import sign_in

pytestmark = pytest.mark.django_db


def test_request_carries_the_current_team_and_membership(team, other_team) -> None:
    user = UserFactory()
    first = MembershipFactory(user=user, team=team, role=Role.VIEWER)
    MembershipFactory(user=user, team=other_team, role=Role.ADMIN)
    browser = sign_in(user)  # nothing chosen yet: the first membership
    response = browser.get(reverse("accounts:team"))
    assert response.wsgi_request.team == team and response.wsgi_request.membership == first
    browser.post(reverse("accounts:team_switch"), {"team": other_team.pk, "next": "https://evil.example/"})
    response = browser.get(reverse("accounts:team"))
    assert response.wsgi_request.team == other_team


def test_leaving_the_chosen_team_falls_back_to_another(team, other_team) -> None:
    user = UserFactory()
    MembershipFactory(user=user, team=team, role=Role.VIEWER)
    MembershipFactory(team=team, role=Role.OWNER)
    MembershipFactory(user=user, team=other_team, role=Role.OWNER)
    browser = sign_in(user, team=team)
    browser.post(reverse("accounts:team_leave"))
    assert browser.get(reverse("accounts:team")).wsgi_request.team == other_team


def test_anonymous_and_teamless_requests_have_none() -> None:
    from django.test import Client

    response = Client().get(reverse("accounts:login"))
    assert response.wsgi_request.team is None and response.wsgi_request.membership is None
    response = sign_in(UserFactory()).get(reverse("accounts:teams"))
    assert response.wsgi_request.membership is None
    assert "not in a team yet" in response.content.decode()


def test_switcher_partial_lists_the_persons_teams(team) -> None:
    user = UserFactory()
    MembershipFactory(user=user, team=team)
    MembershipFactory(user=user, team=TeamFactory(name="Zeta"))
    response = sign_in(user, team=team).get(reverse("accounts:team"))
    html = render_to_string("accounts/_team_switcher.html", {},
                            request=response.wsgi_request)
    assert "Acme" in html and "Zeta" in html and 'name="csrfmiddlewaretoken"' in html
    assert f'<option value="{team.pk}" selected>' in html
