"""The team-wide server list reads every page of a big account, validated on the calling thread.

Pool threads only talk HTTP; the first page of each account says how many follow, and those are
asked for at once. What a person sees must not change: every server once, in order, the same
as walking the pages one by one; a page that fails is a warning for its account only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from panel.services import aggregates
from vpsbg_api import Client
from vpsbg_api.results import UnreadPage
from vpsbg_api.simulator.testing import RunningSimulator, requests_meet, simulator_fixture

from .conftest import ALPHA, BETA

EXTRA_SERVERS = 120  # alpha then holds three pages of 50 and more


@pytest.fixture
def simulator(settings) -> Iterator[RunningSimulator]:
    """The services' simulator, with many more servers on account alpha."""
    with simulator_fixture(servers=EXTRA_SERVERS) as sim:
        settings.VPSBG_API_URL = sim.base_url
        settings.VPSBG_API_TIMEOUT = 2.0
        yield sim


def _walked(simulator: RunningSimulator, token: str) -> list[int]:
    with Client(simulator.tokens[token], base_url=simulator.base_url) as client:
        return [server.id for server in client.servers.iter_all(per_page=50)]


def test_a_big_account_lists_every_server_once_as_the_walk_does(owner, tokens, simulator) -> None:
    result = aggregates.servers_list_all(actor=owner)
    assert result.complete
    alpha = [s.server.id for s in result.items if s.ref.account_id == ALPHA]
    beta = [s.server.id for s in result.items if s.ref.account_id == BETA]
    assert alpha == sorted(_walked(simulator, "alpha_ro")) and len(alpha) > 2 * 50
    assert beta == sorted(_walked(simulator, "beta_rw"))  # (none listed: its servers are not active)


def test_the_pages_after_the_first_are_asked_for_together(owner, tokens, simulator) -> None:
    pages: list[str | None] = []
    real = simulator.sim.call

    def spy(ctx: Any) -> Any:
        if ctx.account_name == "alpha":
            pages.append((ctx.query.get("page") or [None])[0])
        return real(ctx)

    simulator.sim.call = spy  # type: ignore[method-assign]
    later_pages = {"2", "3"}  # alpha's: page 1 says how many follow; both are answered together
    with requests_meet("servers_list", 2, when=lambda query: bool(later_pages & set(query.get("page", [])))):
        result = aggregates.servers_list_all(actor=owner)
    assert result.complete, result.warnings
    assert sorted(pages) == ["1", "2", "3"]


def test_answers_are_validated_on_the_calling_thread(owner, tokens, simulator, monkeypatch) -> None:
    readers: set[str] = set()
    real = UnreadPage.read

    def spy(self: UnreadPage[Any]) -> Any:
        readers.add(threading.current_thread().name)
        return real(self)

    monkeypatch.setattr(UnreadPage, "read", spy)
    aggregates.servers_list_all(actor=owner)
    assert readers == {threading.current_thread().name}


def test_a_failing_later_page_is_a_warning_for_its_account_only(owner, tokens, simulator) -> None:
    real = simulator.sim.call

    def fail_page_two(ctx: Any) -> Any:
        if ctx.account_name == "alpha" and ctx.query.get("page") == ["2"]:
            from vpsbg_api.simulator.errors import ApiError

            raise ApiError(500, "Server Error")
        return real(ctx)

    simulator.sim.call = fail_page_two  # type: ignore[method-assign]
    result = aggregates.servers_list_all(actor=owner)
    assert [w.account_id for w in result.warnings] == [ALPHA]
    assert "unavailable" in result.warnings[0].message.lower()
    assert not [s for s in result.items if s.ref.account_id == ALPHA]  # never half an account


def test_a_malformed_page_is_a_warning_that_says_so(owner, tokens, simulator) -> None:
    simulator.sim.faults.add(operation="servers_list", malformed=True, count=1)
    result = aggregates.servers_list_all(actor=owner)
    assert len(result.warnings) == 1
    assert "cannot read" in result.warnings[0].message
