"""A member limited to some servers sees only those; the team's lists span all its accounts."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.core.errors import NotAllowed, NotFoundError
from panel.services import aggregates, servers
from panel.services.context import ServerRef
from panel.vault.models import ApiToken, TokenStatus
from vpsbg_api.simulator.testing import requests_meet

from .conftest import ALPHA, BETA


@pytest.fixture
def limited(member):
    return member(Role.OPERATOR, scope=[f"{ALPHA}:2864", f"{BETA}:2951"])


def test_the_aggregate_list_has_every_server_of_every_account_once(owner, tokens) -> None:
    result = aggregates.servers_list_all(actor=owner)
    keys = [s.key for s in result.items]
    assert len(keys) == len(set(keys)) == 13  # alpha: 11 active/suspended, beta: 2
    assert {s.ref.account_id for s in result.items} == {ALPHA, BETA}
    assert result.complete and result.warnings == []


def test_two_tokens_of_one_account_do_not_show_a_server_twice(owner, add_token, tokens) -> None:
    add_token("alpha_rw", as_name="alpha again")
    add_token("alpha_ro", as_name="alpha read again")
    keys = [s.key for s in aggregates.servers_list_all(actor=owner).items]
    assert len(keys) == len(set(keys)) == 13


def test_a_failing_account_shows_as_a_warning_beside_the_others(owner, tokens, simulator) -> None:
    del simulator.sim.state.data["tokens"][simulator.tokens["beta_rw"]]
    result = aggregates.servers_list_all(actor=owner)
    assert {s.ref.account_id for s in result.items} == {ALPHA}
    [warning] = result.warnings
    assert warning.account_id == BETA and "beta_rw" in warning.message and warning.code == "token_revoked"


def test_an_account_without_a_working_token_is_a_warning(owner, tokens) -> None:
    ApiToken.objects.filter(pk=tokens["beta_rw"].pk).update(status=TokenStatus.FAILING)
    result = aggregates.servers_list_all(actor=owner)
    [warning] = result.warnings
    assert warning.account_id == BETA and "Tokens page" in warning.message
    assert len(result.items) == 11


def test_accounts_are_queried_in_parallel(owner, tokens, simulator) -> None:
    with requests_meet("servers_list", 2):  # each account's list is answered once both are asked
        result = aggregates.servers_list_all(actor=owner)
    assert len(result.items) == 13
    assert not result.warnings, "one account's list waited for the other's: not parallel"


def test_the_aggregate_list_is_cached_and_dropped_by_a_write(owner, tokens, simulator) -> None:
    aggregates.servers_list_all(actor=owner)
    simulator.sim.faults.add(operation="servers_list", status=503)
    assert len(aggregates.servers_list_all(actor=owner).items) == 13
    servers.servers_restart(actor=owner, server=f"{ALPHA}:2864")
    result = aggregates.servers_list_all(actor=owner)
    assert [w.account_id for w in result.warnings] == [ALPHA]
    assert "VPSBG unavailable" in result.warnings[0].message
    assert {s.ref.account_id for s in result.items} == {BETA}


def test_balances_of_every_account(owner, tokens) -> None:
    result = aggregates.balances_all(actor=owner)
    assert {b.account_id for b in result.items} == {ALPHA, BETA}
    assert all(b.balance.currency == "EUR" for b in result.items)


def test_balances_of_a_role_without_reads_is_one_clear_error(owner, tokens, monkeypatch) -> None:
    from panel.accounts import permissions

    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, "balance_get", frozenset({Role.BILLING}))
    with pytest.raises(NotAllowed):
        aggregates.balances_all(actor=owner)


def test_a_limited_member_sees_only_its_servers(limited, tokens) -> None:
    result = aggregates.servers_list_all(actor=limited)
    assert sorted(s.key for s in result.items) == sorted([f"{ALPHA}:2864", f"{BETA}:2951"])
    page = servers.servers_list(actor=limited, account=ALPHA)
    assert [s.id for s in page] == [2864]


def test_a_limited_member_gets_404_for_other_servers(limited, tokens, events) -> None:
    assert servers.servers_get(actor=limited, server=ServerRef(ALPHA, "2864")).id == 2864
    with pytest.raises(NotFoundError):
        servers.servers_get(actor=limited, server=f"{ALPHA}:2865")
    with pytest.raises(NotFoundError):
        servers.servers_restart(actor=limited, server=f"{ALPHA}:2865")
    [event] = events("servers_restart")
    assert event.outcome == "denied"
    with pytest.raises(NotFoundError):
        servers.servers_calculate_renew(
            actor=limited, servers=[f"{ALPHA}:2864", f"{ALPHA}:2865"], billing_cycle=3
        )


def test_a_limited_member_may_act_on_its_server(limited, tokens, events) -> None:
    servers.servers_restart(actor=limited, server=f"{ALPHA}:2864")
    assert events("servers_restart")[0].outcome == "ok"


def test_a_limited_member_sees_only_the_snapshots_of_its_servers(limited, owner, tokens) -> None:
    from panel.services import library

    everything = library.snapshots_list(actor=owner, account=ALPHA)
    mine = library.snapshots_list(actor=limited, account=ALPHA)
    assert {s.server_id for s in everything.items} - {2864}
    assert {s.server_id for s in mine.items} <= {2864}


def test_a_limited_member_may_not_make_account_wide_changes(limited, tokens, events) -> None:
    from panel.services import library

    with pytest.raises(NotAllowed, match="limited to chosen servers"):
        library.ssh_keys_delete(actor=limited, ssh_key=f"{ALPHA}:91")  # an Operator may, unlimited
    [event] = events("ssh_keys_delete")
    assert event.outcome == "denied"


def test_a_limited_member_may_still_talk_to_support(limited, tokens, events) -> None:
    from panel.services import support

    support.support_tickets_reply(actor=limited, ticket=f"{ALPHA}:217", message="And the VAT number?")
    assert events("support_tickets_reply")[0].outcome == "ok"  # a ticket about no server


def test_tickets_about_other_servers_are_missing_for_a_limited_member(limited, owner, tokens, events) -> None:
    from panel.services import support

    assert 216 in [t.id for t in support.support_tickets_list(actor=owner, account=ALPHA)]
    seen = [t.id for t in support.support_tickets_list(actor=limited, account=ALPHA)]
    assert 216 not in seen and 217 in seen  # 216 is about web-01 (2865), outside the scope
    with pytest.raises(NotFoundError):
        support.support_tickets_get(actor=limited, ticket=f"{ALPHA}:216")
    with pytest.raises(NotFoundError):
        support.support_tickets_reply(actor=limited, ticket=f"{ALPHA}:216", message="Me too.")
    assert [e.outcome for e in events("support_tickets_reply")] == ["denied"]
    with pytest.raises(NotFoundError):
        support.support_tickets_attachment_download(actor=limited, ticket=f"{ALPHA}:216", attachment_id=5)


def test_the_request_is_recorded_with_the_event(owner, tokens, events, rf) -> None:
    from panel.services.context import Actor

    request = rf.post("/servers/x/restart", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="pytest-browser")
    request.request_id = "req-123"
    servers.servers_restart(actor=Actor(owner, request=request), server=f"{ALPHA}:2864")
    [event] = events("servers_restart")
    assert event.client_ip == "203.0.113.9" and event.user_agent == "pytest-browser"
    assert event.request_id == "req-123"


def test_a_limited_member_only_queries_the_accounts_of_its_servers(member, tokens, simulator) -> None:
    alpha_only = member(Role.VIEWER, scope=[f"{ALPHA}:2864"])
    del simulator.sim.state.data["tokens"][simulator.tokens["beta_rw"]]  # beta would answer 401
    result = aggregates.servers_list_all(actor=alpha_only)
    assert [s.key for s in result.items] == [f"{ALPHA}:2864"]
    assert result.warnings == []  # beta's broken token was never used


def test_a_limited_member_may_not_read_the_accounts_2fa_secret(member, owner, tokens, events) -> None:
    """Defence in depth: the panel never limits an owner, the only role that may read it."""
    from panel.services import account

    limited_owner = member(Role.OWNER, scope=[f"{ALPHA}:2864"])  # only possible in the database
    assert account.user_2fa_get_secret(actor=owner, account=ALPHA).secret_key
    with pytest.raises(NotAllowed, match="limited to chosen servers"):
        account.user_2fa_get_secret(actor=limited_owner, account=ALPHA)
    assert [e.outcome for e in events("user_2fa_get_secret")] == ["ok", "denied"]
