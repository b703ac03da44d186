"""Which token a service uses, and what a person is told when VPSBG says no (simulator over HTTP)."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.core.errors import (
    Busy,
    InvalidInput,
    NotAllowed,
    NotFoundError,
    RateLimitedError,
    UpstreamUnavailable,
)
from panel.services import billing, servers
from panel.services.tokens import NoUsableToken
from panel.vault.models import ApiToken, TokenScope, TokenStatus

from .conftest import ALPHA, BETA


def _used(token: ApiToken) -> bool:
    token.refresh_from_db()
    return token.last_used_at is not None


def test_a_read_uses_the_read_only_token_of_the_owning_account(owner, tokens) -> None:
    server = servers.servers_get(actor=owner, server=f"{ALPHA}:2864")
    assert server.id == 2864
    assert _used(tokens["alpha_ro"]) and not _used(tokens["alpha_rw"]) and not _used(tokens["beta_rw"])


def test_a_write_uses_the_read_write_token_of_the_owning_account(owner, tokens, events) -> None:
    servers.servers_restart(actor=owner, server=f"{BETA}:2950")
    [event] = events("servers_restart")
    assert event.token_name == "beta_rw" and event.target_id == f"{BETA}:2950"
    assert not _used(tokens["alpha_rw"])


def test_a_read_falls_back_to_a_read_write_token_when_the_read_only_one_is_revoked(owner, tokens) -> None:
    ApiToken.objects.filter(pk=tokens["alpha_ro"].pk).update(status=TokenStatus.REVOKED)
    servers.servers_get(actor=owner, server=f"{ALPHA}:2864")
    assert _used(tokens["alpha_rw"]) and not _used(tokens["alpha_ro"])


def test_a_write_with_only_a_read_only_token_says_what_to_add(owner, add_token, events) -> None:
    add_token("alpha_ro")
    with pytest.raises(NoUsableToken, match="no read-write VPSBG token for account Alpha Ops Ltd") as error:
        servers.servers_restart(actor=owner, server=f"{ALPHA}:2864")
    assert "Tokens page" in error.value.message
    [event] = events("servers_restart")
    assert event.outcome == "failed" and "read-write" in event.reason


def test_a_team_without_tokens_is_told_to_add_one(owner, simulator) -> None:
    with pytest.raises(NoUsableToken, match="no checked VPSBG token yet"):
        billing.balance_get(actor=owner)


def test_a_team_with_several_accounts_must_name_one_for_account_reads(owner, tokens) -> None:
    with pytest.raises(InvalidInput) as error:
        billing.balance_get(actor=owner)
    assert "account" in error.value.fields
    assert billing.balance_get(actor=owner, account=BETA).currency == "EUR"


def test_a_team_with_one_account_need_not_name_it(owner, add_token) -> None:
    add_token("beta_rw")
    assert billing.balance_get(actor=owner).currency == "EUR"


@pytest.mark.parametrize(
    "ref",
    ["garbage", f"{ALPHA}:abc", f"{ALPHA}:", ":2864", "nobody@example.test:2864", 2864, None],
)
def test_a_malformed_or_foreign_reference_is_not_found(owner, tokens, ref) -> None:
    with pytest.raises(NotFoundError):
        servers.servers_get(actor=owner, server=ref)


def test_a_server_of_another_account_is_not_found_upstream(owner, tokens) -> None:
    with pytest.raises(NotFoundError, match="VPSBG has no server"):
        servers.servers_get(actor=owner, server=f"{ALPHA}:2950")  # beta's server, alpha's token


def test_401_flags_the_token_revoked_on_the_vault(owner, tokens, simulator) -> None:
    del simulator.sim.state.data["tokens"][simulator.tokens["alpha_ro"]]
    with pytest.raises(NotAllowed, match="rejected the token “alpha_ro”") as error:
        servers.servers_get(actor=owner, server=f"{ALPHA}:2864")
    assert error.value.code == "token_revoked"
    tokens["alpha_ro"].refresh_from_db()
    assert tokens["alpha_ro"].status == TokenStatus.REVOKED
    servers.servers_get(actor=owner, server=f"{ALPHA}:2865")  # the next read skips it


def test_a_one_off_401_does_not_kill_a_working_token(owner, tokens, simulator) -> None:
    simulator.sim.faults.add(operation="servers_get", status=401, count=1)
    with pytest.raises(NotAllowed):
        servers.servers_get(actor=owner, server=f"{ALPHA}:2864")
    tokens["alpha_ro"].refresh_from_db()
    assert tokens["alpha_ro"].status == TokenStatus.OK


def test_403_on_a_write_marks_the_token_read_only(owner, tokens, simulator, events) -> None:
    simulator.sim.state.data["tokens"][simulator.tokens["alpha_rw"]]["mode"] = "ro"
    with pytest.raises(NotAllowed, match="read-only") as error:
        servers.servers_restart(actor=owner, server=f"{ALPHA}:2864")
    assert error.value.code == "token_read_only"
    tokens["alpha_rw"].refresh_from_db()
    assert tokens["alpha_rw"].scope == TokenScope.READ_ONLY
    [event] = events("servers_restart")
    assert event.outcome == "failed" and event.upstream_status == 403
    assert len(events("tokens.mark_read_only")) == 1
    with pytest.raises(NoUsableToken, match="no read-write"):
        servers.servers_restart(actor=owner, server=f"{ALPHA}:2864")


def test_423_is_busy_server(owner, tokens, events) -> None:
    with pytest.raises(Busy, match="VPSBG is still busy with server") as error:
        servers.servers_restart(actor=owner, server=f"{ALPHA}:2870")  # locked mid-reinstall
    assert error.value.status == 423
    [event] = events("servers_restart")
    assert event.outcome == "failed" and event.upstream_status == 423


def test_429_says_when_to_retry(owner, tokens, simulator) -> None:
    simulator.sim.faults.add(operation="servers_get", status=429)
    with pytest.raises(RateLimitedError, match=r"VPSBG rate limit, retry in 1 s") as error:
        servers.servers_get(actor=owner, server=f"{ALPHA}:2864")
    assert error.value.retry_after == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_vpsbg_unavailable(owner, tokens, simulator, status) -> None:
    simulator.sim.faults.add(operation="servers_get", status=status)
    with pytest.raises(UpstreamUnavailable, match=f"VPSBG unavailable \\(HTTP {status}\\)"):
        servers.servers_get(actor=owner, server=f"{ALPHA}:2864")


def test_unreachable_is_vpsbg_unavailable(owner, tokens, settings, free_port) -> None:
    settings.VPSBG_API_URL = f"http://127.0.0.1:{free_port}/v1"
    with pytest.raises(UpstreamUnavailable, match="VPSBG unavailable"):
        servers.servers_get(actor=owner, server=f"{ALPHA}:2864")


def test_dropped_connection_on_a_write_is_unavailable_and_audited(owner, tokens, simulator, events) -> None:
    simulator.sim.faults.add(operation="servers_restart", drop=True)
    with pytest.raises(UpstreamUnavailable):
        servers.servers_restart(actor=owner, server=f"{ALPHA}:2864", reason="kernel update")
    [event] = events("servers_restart")
    assert event.outcome == "failed" and event.upstream_status is None
    assert event.reason.startswith("kernel update")


def test_422_keeps_the_field_messages(owner, tokens) -> None:
    with pytest.raises(InvalidInput) as error:
        servers.servers_update_hostname(actor=owner, server=f"{ALPHA}:2864", hostname="not a hostname!")
    assert error.value.fields


def test_a_role_without_the_permission_is_told_which_roles_may(member, tokens, events) -> None:
    operator = member(Role.OPERATOR)
    with pytest.raises(NotAllowed, match="Roles that may: Owner, Admin"):
        servers.servers_reinstall(actor=operator, server=f"{ALPHA}:2864", image_id=74)
    [event] = events("servers_reinstall")
    assert event.outcome == "denied" and event.token_id is None
