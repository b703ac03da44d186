"""A click on a column header sorts the table in place (htmx swaps the table, no page load), the
address bar keeps the order (to reload or share), a second click turns it round; the back button
returns to the previous order."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.audit.recorder import record
from tests.factories import PASSWORD, MembershipFactory
from tests.web.browser import BROWSER, csp_errors, expect, open_page, sign_in
from tests.web.conftest import ALPHA

pytestmark = BROWSER


@pytest.fixture
def owner(transactional_db, web_team):
    """An owner and audit events by three people, made before Playwright starts."""
    membership = MembershipFactory(team=web_team, role=Role.OWNER)
    for name in ("mallory", "alice", "zed"):
        record(actor_label=name, team=web_team, operation_id="servers_start", outcome="ok")
    membership.team.name
    return membership


@pytest.fixture
def page(live_server):
    yield from open_page(live_server.url)


def _actors(page) -> list[str]:
    return page.locator("#audit-table tbody tr td:nth-child(3)").all_inner_texts()


def test_a_header_click_sorts_the_audit_log_in_place_and_the_url_keeps_it(owner, page) -> None:
    sign_in(page, owner.user.email, PASSWORD, next_url="/audit/")
    page.wait_for_url("**/audit/")
    assert _actors(page)[:3] == ["zed", "alice", "mallory"]  # newest first
    page.evaluate("window.notReloaded = true")

    page.locator("#audit-table th", has_text="Actor").get_by_role("link").click()
    page.wait_for_url("**/audit/?sort=actor")
    expect(page.locator("#audit-table th[aria-sort=ascending]")).to_have_text("Actor")
    assert _actors(page)[:3] == ["alice", "mallory", "zed"]
    page.locator("#audit-table th", has_text="Actor").get_by_role("link").click()
    page.wait_for_url("**/audit/?sort=-actor")
    expect(page.locator("#audit-table th[aria-sort=descending]")).to_have_text("Actor")
    assert _actors(page)[:3] == ["zed", "mallory", "alice"]
    assert page.evaluate("window.notReloaded === true")  # swapped by htmx, not a new page

    page.fill("#id_q", "servers")  # the filters keep the order chosen
    page.wait_for_url("**/audit/?*q=servers*")
    assert "sort=-actor" in page.url
    expect(page.locator("#audit-table th[aria-sort=descending]")).to_have_text("Actor")

    page.reload()  # a shared or reloaded address shows the same order
    assert _actors(page)[:3] == ["zed", "mallory", "alice"]
    assert not csp_errors(page)


def test_one_table_of_a_page_sorts_alone(owner, page) -> None:
    """The billing page has three tables: sorting the invoices leaves the orders as they were."""
    sign_in(page, owner.user.email, PASSWORD, next_url=f"/billing/?account={ALPHA}")
    page.wait_for_url("**/billing/**")
    orders = page.locator("#orders tbody tr td:first-child").all_inner_texts()
    page.locator("#invoices th", has_text="Amount").get_by_role("link").click()
    page.wait_for_url("**isort=amount**")
    amounts = page.locator("#invoices tbody tr td.num").all_inner_texts()
    values = [float(a.replace("€", "").replace(",", "").split()[0]) for a in amounts]
    assert values == sorted(values) and len(set(values)) > 1
    assert page.locator("#orders tbody tr td:first-child").all_inner_texts() == orders
    expect(page.locator("#orders th[aria-sort=descending]")).to_have_text("Order")
