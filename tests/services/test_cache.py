"""Reads are cached briefly; a write to a resource drops its cached reads (and the lists).

A fault added after the first read proves whether the second one went upstream.
"""

from __future__ import annotations

import time

import pytest

from panel.core.errors import UpstreamUnavailable
from panel.services import account, billing, servers

from .conftest import ALPHA, BETA

S2864, S2865 = f"{ALPHA}:2864", f"{ALPHA}:2865"


def _break(simulator, op: str) -> None:
    simulator.sim.faults.add(operation=op, status=503)


def test_a_second_read_is_served_from_the_cache(owner, tokens, simulator) -> None:
    first = servers.servers_get(actor=owner, server=S2864)
    _break(simulator, "servers_get")
    assert servers.servers_get(actor=owner, server=S2864) == first


def test_different_parameters_are_different_entries(owner, tokens, simulator) -> None:
    servers.servers_list(actor=owner, account=ALPHA, per_page=5)
    _break(simulator, "servers_list")
    servers.servers_list(actor=owner, account=ALPHA, per_page=5)
    with pytest.raises(UpstreamUnavailable):
        servers.servers_list(actor=owner, account=ALPHA, per_page=6)


def test_a_write_drops_the_cached_reads_of_its_server_and_the_lists(owner, tokens, simulator) -> None:
    servers.servers_get(actor=owner, server=S2864)
    servers.servers_get(actor=owner, server=S2865)
    servers.servers_list(actor=owner, account=ALPHA)
    servers.servers_update_hostname(actor=owner, server=S2864, hostname="renamed.example.com")
    assert servers.servers_get(actor=owner, server=S2864).hostname == "renamed.example.com"
    _break(simulator, "servers_get")
    _break(simulator, "servers_list")
    servers.servers_get(actor=owner, server=S2865)  # another server's read survives
    with pytest.raises(UpstreamUnavailable):
        servers.servers_list(actor=owner, account=ALPHA)


def test_a_write_of_one_account_keeps_the_other_accounts_cache(owner, tokens, simulator) -> None:
    servers.servers_get(actor=owner, server=f"{BETA}:2950")
    servers.servers_restart(actor=owner, server=S2864)
    _break(simulator, "servers_get")
    servers.servers_get(actor=owner, server=f"{BETA}:2950")


def test_an_account_wide_write_drops_the_balance(owner, tokens, simulator) -> None:
    before = billing.balance_get(actor=owner, account=ALPHA)
    billing.balance_deposit(actor=owner, account=ALPHA, amount=100, payment_method="card")
    after = billing.balance_get(actor=owner, account=ALPHA)
    assert after.balance != before.balance


def test_a_failed_write_also_drops_the_cache(owner, tokens, simulator) -> None:
    servers.servers_get(actor=owner, server=S2864)
    _break(simulator, "servers_restart")
    with pytest.raises(UpstreamUnavailable):
        servers.servers_restart(actor=owner, server=S2864)
    _break(simulator, "servers_get")
    with pytest.raises(UpstreamUnavailable):
        servers.servers_get(actor=owner, server=S2864)


def test_secrets_and_progress_are_never_cached(owner, tokens, simulator) -> None:
    account.user_2fa_get_secret(actor=owner, account=BETA)
    servers.servers_status(actor=owner, server=S2864)
    _break(simulator, "user_2fa_get_secret")
    _break(simulator, "servers_status")
    with pytest.raises(UpstreamUnavailable):
        account.user_2fa_get_secret(actor=owner, account=BETA)
    with pytest.raises(UpstreamUnavailable):
        servers.servers_status(actor=owner, server=S2864)


def test_a_zero_ttl_turns_caching_off(owner, tokens, simulator, settings) -> None:
    settings.PANEL_SERVICES_CACHE_TTL = 0
    servers.servers_get(actor=owner, server=S2864)
    _break(simulator, "servers_get")
    with pytest.raises(UpstreamUnavailable):
        servers.servers_get(actor=owner, server=S2864)


def test_the_cache_never_holds_a_token(owner, tokens, simulator) -> None:
    from django.core.cache import cache

    servers.servers_get(actor=owner, server=S2864)
    stored = b"".join(v for v in cache._cache.values() if isinstance(v, bytes))  # type: ignore[attr-defined]
    assert stored  # something was cached
    for secret in simulator.tokens.values():
        assert secret.encode() not in stored


def test_another_process_reads_the_shared_cache_as_typed_data(owner, tokens, simulator) -> None:
    """The shared level holds JSON; a process without the live copy gets equal typed objects."""
    from panel.services import cache as service_cache

    server = servers.servers_get(actor=owner, server=S2864)
    page = servers.servers_list(actor=owner, account=ALPHA, per_page=5)
    balance = billing.balance_get(actor=owner, account=ALPHA)
    service_cache.clear_local()  # as if another worker process asked
    _break(simulator, "servers_get")
    _break(simulator, "servers_list")
    _break(simulator, "balance_get")
    again = servers.servers_get(actor=owner, server=S2864)
    assert again == server and again is not server
    assert servers.servers_list(actor=owner, account=ALPHA, per_page=5).items == page.items
    assert billing.balance_get(actor=owner, account=ALPHA) == balance


def test_a_write_in_another_process_is_seen_through_the_shared_versions(owner, tokens, simulator) -> None:
    from panel.services import cache as service_cache

    servers.servers_get(actor=owner, server=S2864)
    service_cache.bump(ALPHA, "server:2864")  # what a write in another process does
    _break(simulator, "servers_get")
    with pytest.raises(UpstreamUnavailable):
        servers.servers_get(actor=owner, server=S2864)


def test_the_same_rules_hold_on_redis(owner, tokens, simulator, settings, redis_url) -> None:
    """Production's cache: hit, shared JSON level, and invalidation by version bump."""
    from django.core.cache import cache

    from panel.services import cache as service_cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "test-services",
        }
    }
    cache.clear()
    try:
        server = servers.servers_get(actor=owner, server=S2864)
        service_cache.clear_local()
        _break(simulator, "servers_get")
        assert servers.servers_get(actor=owner, server=S2864) == server
        servers.servers_restart(actor=owner, server=S2864)
        with pytest.raises(UpstreamUnavailable):
            servers.servers_get(actor=owner, server=S2864)
    finally:
        cache.clear()


class _FrozenClock:
    """The cache's clocks, moved by hand: its live copies' and Django's local-memory level's."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


def test_a_server_mid_change_is_kept_only_briefly(owner, tokens, simulator, monkeypatch) -> None:
    from django.core.cache.backends import base, locmem

    from panel.services import cache

    clock = _FrozenClock()
    for module in (cache, base, locmem):
        monkeypatch.setattr(module, "time", clock)
    servers.servers_stop(actor=owner, server=S2864)
    assert servers.servers_get(actor=owner, server=S2864).locked  # VPSBG is stopping it
    simulator.advance(120)  # ...and has finished
    clock.now += cache.TRANSIENT_TTL - 0.1
    assert servers.servers_get(actor=owner, server=S2864).locked  # the short copy, still
    clock.now += 0.2
    assert not servers.servers_get(actor=owner, server=S2864).locked  # not "busy" for the whole TTL
    steady = servers.servers_get(actor=owner, server=S2864)
    _break(simulator, "servers_get")
    assert servers.servers_get(actor=owner, server=S2864) == steady  # a settled server: the full TTL


def _team_with_token(simulator, name: str, *, account_id: str):  # type: ignore[no-untyped-def]
    """Another team holding the simulator token `name`, stored as checked for `account_id`."""
    from panel.accounts.roles import Role
    from panel.vault.models import ApiToken, TokenScope, TokenStatus
    from tests.factories import MembershipFactory, TeamFactory

    team = TeamFactory()
    token = ApiToken(
        team=team, name=name, scope=TokenScope.READ_WRITE, account_id=account_id, status=TokenStatus.OK
    )
    token.set_secret(simulator.tokens[name])
    token.save()
    return MembershipFactory(team=team, role=Role.OWNER)


def test_teams_whose_account_ids_only_look_alike_never_share_cached_reads(owner, tokens, simulator) -> None:
    """An account id is an e-mail address; another VPSBG account can come to hold the same one."""
    mine = {s.id for s in servers.servers_list(actor=owner, account=ALPHA).items}
    stranger = _team_with_token(simulator, "beta_rw", account_id=ALPHA)  # beta's token, alpha's e-mail
    theirs = {s.id for s in servers.servers_list(actor=stranger, account=ALPHA).items}
    assert theirs == {2950, 2951} and not theirs & mine  # beta's own servers, read upstream


def test_teams_reading_with_the_same_secret_share_cached_reads(owner, tokens, simulator) -> None:
    first = servers.servers_get(actor=owner, server=S2864)
    twin = _team_with_token(simulator, "alpha_ro", account_id=ALPHA)  # the very token the owner reads with
    _break(simulator, "servers_get")
    assert servers.servers_get(actor=twin, server=S2864) == first
