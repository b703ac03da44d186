"""A hung VPSBG costs a page its short budget (`VPSBG_PAGE_TIMEOUT`), not the operations' timeout.

The simulator hangs every call (its `timeout` fault: no answer until the client gives up). Each
page must still come back, with a warning and a way to retry, never a 500; reads after the budget
is spent are not even attempted. Long operations (no request behind the actor) keep
`VPSBG_API_TIMEOUT`.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from panel.accounts.roles import Role
from panel.services import execution
from panel.services.context import Actor, parse_server_ref
from tests.web.conftest import UBUNTU
from vpsbg_api.areas import ServersArea
from vpsbg_api.calls import call

pytestmark = pytest.mark.django_db

SPENT = "did not answer within 0.4 s, the time a page waits for it"


@pytest.fixture
def hung(simulator, settings):
    settings.VPSBG_PAGE_TIMEOUT = 0.4
    settings.VPSBG_API_TIMEOUT = 30.0  # what a page would wait without its budget
    simulator.sim.faults.add(timeout=True)
    yield simulator
    simulator.sim.faults.clear()


def test_dashboard_of_a_hung_vpsbg_warns_and_offers_a_retry(web_team, hung, member_of) -> None:
    response = member_of(Role.OWNER).get(reverse("web:dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Ops Ltd: VPSBG unavailable (no answer)" in body  # the servers list timed out
    assert SPENT in body  # balances and orders were not even asked for: the budget was spent
    assert 'class="flash flash-warning"' in body and ">Retry</a>" in body
    assert "Could not tell" in body


def test_servers_list_of_a_hung_vpsbg_warns_and_offers_a_retry(web_team, hung, member_of) -> None:
    response = member_of(Role.VIEWER).get(reverse("web:servers"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("VPSBG unavailable (no answer)") == 2  # one warning per account
    assert ">Retry</a>" in body


def test_server_page_of_a_hung_vpsbg_shows_the_problem_with_a_retry_button(web_team, hung, member_of) -> None:
    response = member_of(Role.VIEWER).get(reverse("web:server_detail", args=[UBUNTU]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "VPSBG unavailable (no answer)" in body
    assert 'role="button" class="secondary">Retry</a>' in body


def test_long_operations_keep_the_long_timeout(web_team, hung, member_of) -> None:
    membership = member_of(Role.OWNER).membership
    hung.sim.faults.clear()
    ref = parse_server_ref(UBUNTU)
    on_page = Actor(membership, request=RequestFactory().get("/"))
    get = call(ServersArea.get, ref.server_id)
    page = execution.prepare(get, actor=on_page, target=ref)
    worker = execution.prepare(get, actor=Actor(membership), target=ref)
    write = execution.prepare(call(ServersArea.start, ref.server_id), actor=on_page, target=ref)
    assert page.client is not None and page.client.timeout == 0.4
    assert worker.client is not None and worker.client.timeout == 30.0
    assert write.client is not None and write.client.timeout == 30.0  # a write cut short may still happen
