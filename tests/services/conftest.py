"""Fixtures of the service tests: a team with tokens for two VPSBG accounts of the simulator.

Account ids are what the vault stores after checking a token: the simulator's account e-mail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache

from panel.accounts.models import Membership, Team
from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.services import cache as service_cache
from panel.services import execution
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from tests.factories import MembershipFactory, TeamFactory
from vpsbg_api.simulator.testing import RunningSimulator, simulator_fixture

ALPHA = "ops@alpha.example"
BETA = "admin@beta.example"
LABELS = {ALPHA: "Alpha Ops Ltd (ops@alpha.example)", BETA: "Beta Hosting Ltd (admin@beta.example)"}


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_keys(settings) -> None:
    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]


@pytest.fixture(autouse=True)
def clean_cache(settings) -> Iterator[None]:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    service_cache.clear_local()
    yield
    cache.clear()
    service_cache.clear_local()
    execution.clear_client_pool()


@pytest.fixture(autouse=True)
def no_retry(monkeypatch) -> None:
    """A failure is a failure at once: no backoff sleeps in tests."""
    from vpsbg_api import RetryPolicy

    monkeypatch.setattr(execution, "RETRY", RetryPolicy(max_attempts=1))


@pytest.fixture
def simulator(settings) -> Iterator[RunningSimulator]:
    with simulator_fixture() as sim:
        settings.VPSBG_API_URL = sim.base_url
        settings.VPSBG_API_TIMEOUT = 2.0
        yield sim


@pytest.fixture
def team(db) -> Team:
    return TeamFactory(name="Acme", slug="acme")


@pytest.fixture
def add_token(team, simulator) -> Callable[..., ApiToken]:
    """Store a simulator demo token (`alpha_rw`, `alpha_ro`, `beta_rw`) as a checked vault token."""
    accounts = {"alpha_rw": ALPHA, "alpha_ro": ALPHA, "beta_rw": BETA}

    def _add(name: str, *, as_name: str | None = None, for_team: Team | None = None) -> ApiToken:
        token = ApiToken(
            team=for_team or team,
            name=as_name or name,
            scope=TokenScope.READ_ONLY if name.endswith("_ro") else TokenScope.READ_WRITE,
            account_id=accounts[name],
            account_label=LABELS[accounts[name]],
            status=TokenStatus.OK,
        )
        token.set_secret(simulator.tokens[name])
        token.save()
        return token

    return _add


@pytest.fixture
def tokens(add_token) -> dict[str, ApiToken]:
    return {name: add_token(name) for name in ("alpha_ro", "alpha_rw", "beta_rw")}


@pytest.fixture
def member(team) -> Callable[..., Membership]:
    def _make(role: str = Role.OWNER, scope: list[str] | None = None) -> Membership:
        return MembershipFactory(team=team, role=Role(role), server_scope=scope or [])

    return _make


@pytest.fixture
def owner(member) -> Membership:
    return member(Role.OWNER)


@pytest.fixture
def events() -> Callable[[str], list[AuditEvent]]:
    def _events(operation_id: str) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(operation_id=operation_id).order_by("seq"))

    return _events
