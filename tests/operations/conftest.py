"""Fixtures of the operation tests: a team with simulator tokens, an owner, and `run_to_end`, which
plays the dispatcher: it delivers again each time the operation parks, after advancing the
simulator's frozen clock by the wait (so waiting for VPSBG takes no real time)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache

from panel.accounts.models import Membership, Team
from panel.accounts.roles import Role
from panel.operations import runner
from panel.operations.models import Operation
from panel.services import cache as service_cache
from panel.services import execution
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from tests.factories import MembershipFactory, TeamFactory
from vpsbg_api.simulator.testing import RunningSimulator, simulator_fixture

ALPHA = "ops@alpha.example"
BETA = "admin@beta.example"
ACCOUNTS = {"alpha_rw": ALPHA, "alpha_ro": ALPHA, "beta_rw": BETA}


@pytest.fixture(autouse=True)
def fresh_keys(settings) -> None:
    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]


@pytest.fixture(autouse=True)
def fast_operations(settings, monkeypatch) -> Iterator[None]:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.OPERATIONS_POLL_SECONDS = 5.0
    settings.OPERATIONS_RETRY_BASE = 1.0
    settings.OPERATIONS_MAX_RETRIES = 4
    cache.clear()
    service_cache.clear_local()
    from vpsbg_api import RetryPolicy

    monkeypatch.setattr(execution, "RETRY", RetryPolicy(max_attempts=1))
    yield
    cache.clear()
    service_cache.clear_local()
    execution.clear_client_pool()


@pytest.fixture
def simulator(settings) -> Iterator[RunningSimulator]:
    with simulator_fixture() as sim:
        settings.VPSBG_API_URL = sim.base_url
        settings.VPSBG_API_TIMEOUT = 2.0
        yield sim


def _no_waiting(seconds: float) -> None:
    raise AssertionError(f"the operation parked for {seconds} s: use the `sleeps` fixture")


# What `run_to_end` does with each wait of a parked operation (the `sleeps` fixture replaces it).
PAUSE: dict[str, Callable[[float], None]] = {"wait": _no_waiting}


@pytest.fixture
def sleeps(simulator, monkeypatch) -> list[float]:
    """Every wait of a parked operation moves the simulator's clock instead (and is recorded)."""
    seen: list[float] = []

    def fake_sleep(seconds: float) -> None:
        seen.append(seconds)
        simulator.advance(max(seconds, 0.5))

    monkeypatch.setattr(runner, "clock", simulator.sim.clock.now)
    monkeypatch.setitem(PAUSE, "wait", fake_sleep)
    return seen


@pytest.fixture
def team(db) -> Team:
    return TeamFactory(name="Acme", slug="acme")


@pytest.fixture
def add_token(team, simulator) -> Callable[..., ApiToken]:
    def _add(name: str, *, for_team: Team | None = None) -> ApiToken:
        token = ApiToken(
            team=for_team or team,
            name=name,
            scope=TokenScope.READ_ONLY if name.endswith("_ro") else TokenScope.READ_WRITE,
            account_id=ACCOUNTS[name],
            account_label=ACCOUNTS[name],
            status=TokenStatus.OK,
        )
        token.set_secret(simulator.tokens[name])
        token.save()
        return token

    return _add


@pytest.fixture
def tokens(add_token) -> dict[str, ApiToken]:
    return {name: add_token(name) for name in ("alpha_rw", "beta_rw")}


@pytest.fixture
def member(team) -> Callable[..., Membership]:
    def _make(role: str = Role.OWNER, scope: list[str] | None = None) -> Membership:
        return MembershipFactory(team=team, role=Role(role), server_scope=scope or [])

    return _make


@pytest.fixture
def owner(member) -> Membership:
    return member(Role.OWNER)


@pytest.fixture
def calls(simulator) -> Callable[[str], int]:
    """How many times the simulator ran an operation's handler (successful or not)."""
    return lambda operation_id: simulator.sim.calls.get(operation_id, 0)


def run_to_end(op: Operation, *, deliveries: int = 500) -> Operation:
    """Call the task body synchronously (no broker) until the operation ends or a delivery is
    refused; between deliveries, wait what the parked operation asked for. Reloads the row."""
    for _ in range(deliveries):
        if runner.run(op.pk) is None:
            break
        op.refresh_from_db()
        if op.is_ended:
            break
        assert op.lease == "" and op.wake_at is not None, "a delivery returned without parking"
        PAUSE["wait"](float(op.data.get("wait") or 0))
    op.refresh_from_db()
    return op
