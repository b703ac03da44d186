"""Fixtures of the API tests: a team with VPSBG tokens in the simulator, panel API tokens, clients.

`api(role, **token_options)` returns a DRF `APIClient` authenticated with a fresh panel API token of
a new member of `team` with that role; `.token` and `.membership` are attached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from rest_framework.test import APIClient

from panel.accounts.models import Team
from panel.accounts.roles import Role
from panel.api.tokens import create_token
from panel.services import cache as service_cache
from panel.services import execution
from panel.services.context import Actor
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from tests.factories import MembershipFactory, TeamFactory
from vpsbg_api.simulator.testing import RunningSimulator, simulator_fixture

ALPHA = "ops@alpha.example"
BETA = "admin@beta.example"


@pytest.fixture(autouse=True)
def _api_settings(settings) -> Iterator[None]:
    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PANEL_API_THROTTLE_RATE = "100000/minute"
    cache.clear()
    service_cache.clear_local()
    yield
    cache.clear()
    service_cache.clear_local()
    execution.clear_client_pool()


@pytest.fixture(autouse=True)
def _no_retry(monkeypatch) -> None:
    from vpsbg_api import RetryPolicy

    monkeypatch.setattr(execution, "RETRY", RetryPolicy(max_attempts=1))


@pytest.fixture
def simulator(settings) -> Iterator[RunningSimulator]:
    with simulator_fixture() as sim:
        settings.VPSBG_API_URL = sim.base_url
        settings.VPSBG_API_TIMEOUT = 5.0
        yield sim


@pytest.fixture
def team(db) -> Team:
    return TeamFactory(name="Acme", slug="acme")


def store_vault_token(team: Team, simulator: RunningSimulator, name: str = "alpha_rw") -> ApiToken:
    """A checked VPSBG token of the simulator in `team`'s vault."""
    account = {"alpha_rw": ALPHA, "alpha_ro": ALPHA, "beta_rw": BETA}[name]
    token = ApiToken(
        team=team,
        name=name,
        scope=TokenScope.READ_ONLY if name.endswith("_ro") else TokenScope.READ_WRITE,
        account_id=account,
        account_label=account,
        status=TokenStatus.OK,
    )
    token.set_secret(simulator.tokens[name])
    token.save()
    return token


@pytest.fixture
def vault(team, simulator) -> dict[str, ApiToken]:
    return {name: store_vault_token(team, simulator, name) for name in ("alpha_rw", "beta_rw")}


@pytest.fixture
def api(team) -> Callable[..., APIClient]:
    def make(
        role: Role | str = Role.OWNER,
        *,
        in_team: Team | None = None,
        scope: list[str] | None = None,
        **options: Any,
    ) -> APIClient:
        membership = MembershipFactory(team=in_team or team, role=Role(role), server_scope=scope or [])
        token, plaintext = create_token(
            actor=Actor(membership), label=options.pop("label", "test"), **options
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        client.token, client.plaintext, client.membership = token, plaintext, membership  # type: ignore[attr-defined]
        return client

    return make
