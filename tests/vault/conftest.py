"""Fixtures of the vault tests: teams, members per role, fresh encryption keys, a running simulator."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from panel.accounts.models import Membership, Team
from panel.accounts.roles import Role
from tests.factories import MembershipFactory, TeamFactory
from tests.fixtures_accounts import sign_in
from vpsbg_api.simulator.testing import RunningSimulator, simulator_fixture


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    """Hashing a password the production way takes ~0.5 s; these tests create many people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_keys(settings) -> list[str]:
    """Every test encrypts with its own key, never the dev default."""
    keys = [Fernet.generate_key().decode()]
    settings.PANEL_ENCRYPTION_KEYS = keys
    return keys


@pytest.fixture
def team(db) -> Team:
    return TeamFactory(name="Acme", slug="acme")


@pytest.fixture
def other_team(db) -> Team:
    return TeamFactory(name="Globex", slug="globex")


@pytest.fixture
def make_member(db) -> Callable[..., Membership]:
    def _make(team: Team, role: str = Role.OWNER) -> Membership:
        return MembershipFactory(team=team, role=Role(role))

    return _make


@pytest.fixture
def owner(team, make_member) -> Membership:
    return make_member(team, Role.OWNER)


@pytest.fixture
def client_for(make_member) -> Callable[..., Client]:
    """A signed-in browser for a new member of `team` with `role` (CSRF enforced when asked)."""

    def _client(team: Team, role: str = Role.OWNER, *, enforce_csrf: bool = False) -> Client:
        membership = make_member(team, role)
        browser = sign_in(membership.user, team=team, enforce_csrf=enforce_csrf, verified=team.require_2fa)
        browser.membership = membership  # type: ignore[attr-defined]
        return browser

    return _client


@pytest.fixture
def simulator(settings) -> Iterator[RunningSimulator]:
    """The VPSBG simulator over real HTTP on loopback (fresh demo state); the panel points at it."""
    with simulator_fixture() as sim:
        settings.VPSBG_API_URL = sim.base_url
        settings.VPSBG_API_TIMEOUT = 2.0
        yield sim
