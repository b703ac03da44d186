"""Fixtures of the web tests: a team whose tokens reach the simulator's two demo accounts.

`web_team` is the `team` of `tests.fixtures_accounts` (so `member_of(role)` signs people into it)
with the simulator's read-write tokens for accounts alpha and beta stored as checked vault tokens.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache

from panel.accounts.models import Team
from panel.services import cache as service_cache
from panel.services import execution
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from vpsbg_api.simulator.testing import RunningSimulator, simulator_fixture

ALPHA = "ops@alpha.example"
BETA = "admin@beta.example"
LABELS = {ALPHA: "Alpha Ops Ltd", BETA: "Beta Hosting Ltd"}
ACCOUNTS = {"alpha_rw": ALPHA, "alpha_ro": ALPHA, "beta_rw": BETA}
UBUNTU = f"{ALPHA}:2864"  # ubuntu-2gb, running
WEB_02 = f"{ALPHA}:2866"  # web-02.alpha.example, stopped
BETA_WEB = f"{BETA}:2950"  # beta-web.example


@pytest.fixture(autouse=True)
def _web_settings(settings) -> Iterator[None]:
    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    service_cache.clear_local()
    yield
    cache.clear()
    service_cache.clear_local()
    execution.clear_client_pool()


@pytest.fixture(autouse=True)
def _no_retry(monkeypatch) -> None:
    """A failure is a failure at once: no backoff sleeps in tests."""
    from vpsbg_api import RetryPolicy

    monkeypatch.setattr(execution, "RETRY", RetryPolicy(max_attempts=1))


@pytest.fixture
def simulator(settings) -> Iterator[RunningSimulator]:
    with simulator_fixture() as sim:
        settings.VPSBG_API_URL = sim.base_url
        settings.VPSBG_API_TIMEOUT = 2.0
        yield sim


def store_token(team: Team, simulator: RunningSimulator, name: str) -> ApiToken:
    """A simulator demo token stored as a checked vault token of `team`."""
    token = ApiToken(
        team=team,
        name=name,
        scope=TokenScope.READ_ONLY if name.endswith("_ro") else TokenScope.READ_WRITE,
        account_id=ACCOUNTS[name],
        account_label=LABELS[ACCOUNTS[name]],
        status=TokenStatus.OK,
    )
    token.set_secret(simulator.tokens[name])
    token.save()
    return token


@pytest.fixture
def web_team(team: Team, simulator: RunningSimulator) -> Team:
    for name in ("alpha_rw", "beta_rw"):
        store_token(team, simulator, name)
    return team


def server_tabs(browser, ref: str = UBUNTU, *tabs: str) -> str:
    """The server page's tabs (every tab when none is named) as one text: its parts are spread
    over tabs, and a test about what the page offers should not care which tab holds it."""
    from django.urls import reverse

    from panel.web.server_tabs import TABS

    url = reverse("web:server_detail", kwargs={"ref": ref})
    return "\n".join(
        browser.get(url, {"tab": name}).content.decode() for name in (tabs or [n for n, _ in TABS])
    )
