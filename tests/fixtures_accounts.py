"""Pytest fixtures for people and teams; a plugin module the root conftest lists in `pytest_plugins`.

`member_of(role)` returns a signed-in `Client` for a new member of `team` (the second factor already
verified when the team requires it), with `.membership` attached; `outsider_client` is the owner
of another team.
"""
from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from panel.accounts.middleware import SESSION_TEAM_KEY
from panel.accounts.models import EncryptedTOTPDevice as TOTPDevice
from panel.accounts.models import Membership, Team, User
from panel.accounts.roles import Role
from tests.factories import MembershipFactory, TeamFactory


def sign_in(user: User, *, team: Team | None = None, enforce_csrf: bool = False, verified: bool = False
            ) -> Client:
    """A Client signed in as `user`; `verified=True` also enrolls a TOTP device and verifies it."""
    browser = Client(enforce_csrf_checks=enforce_csrf)
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = browser.session
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if team is not None:
        session[SESSION_TEAM_KEY] = team.pk
    session.save()
    return browser


@pytest.fixture
def team(db) -> Team:
    return TeamFactory(name="Acme", slug="acme")


@pytest.fixture
def other_team(db) -> Team:
    return TeamFactory(name="Globex", slug="globex")


@pytest.fixture
def member_of(team: Team) -> Callable[..., Client]:
    """member_of(role, team=None, *, enforce_csrf=False) -> signed-in Client with `.membership`."""

    def make(role: Role | str, in_team: Team | None = None, *, enforce_csrf: bool = False) -> Client:
        target_team = in_team or team
        membership: Membership = MembershipFactory(team=target_team, role=Role(role))
        browser = sign_in(membership.user, team=target_team, enforce_csrf=enforce_csrf,
                          verified=target_team.require_2fa)
        browser.membership = membership  # type: ignore[attr-defined]
        return browser

    return make


@pytest.fixture
def outsider_client(db) -> Client:
    """The owner of another team: every object of `team` must answer 404 to them."""
    membership = MembershipFactory(team=TeamFactory(name="Outsiders"), role=Role.OWNER)
    browser = sign_in(membership.user, team=membership.team)
    browser.membership = membership  # type: ignore[attr-defined]
    return browser
