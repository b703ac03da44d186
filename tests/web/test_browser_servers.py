"""In a real Chromium: sign in, list servers, filter, open one, see its charts, restart it."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from tests.factories import PASSWORD, MembershipFactory
from tests.web.browser import BROWSER, csp_errors, expect, open_page, sign_in
from tests.web.conftest import BETA

pytestmark = BROWSER


@pytest.fixture
def operator(transactional_db, web_team):
    """Made before Playwright starts (see tests/web/browser.py)."""
    membership = MembershipFactory(team=web_team, role=Role.OPERATOR)
    membership.team.name
    return membership


@pytest.fixture
def page(live_server):
    yield from open_page(live_server.url)


def test_list_filter_open_and_restart_a_server(operator, page) -> None:
    sign_in(page, operator.user.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    assert "Servers" in page.inner_text("main")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Servers", exact=True).click()
    page.wait_for_url("**/servers/")
    assert page.locator("table.servers tbody tr").count() >= 10

    page.select_option("#id_account", BETA)  # htmx swaps the table and pushes the URL
    page.wait_for_url("**account=admin%40beta.example**")
    expect(page.locator("table.servers tbody tr")).to_have_count(2)
    assert "ubuntu-2gb" not in page.inner_text("#server-table")

    page.select_option("#id_account", "")
    page.fill("#id_q", "ubuntu")
    expect(page.locator("table.servers tbody tr")).to_have_count(1)
    page.click("table.servers >> text=ubuntu-2gb")
    page.wait_for_url("**/servers/ops@alpha.example:2864/")
    tabs = page.get_by_role("tablist", name="Sections of this server")
    tabs.get_by_role("tab", name="Graphs").click()  # htmx swaps the panel and pushes the URL
    page.wait_for_url("**/servers/ops@alpha.example:2864/?tab=graphs")
    expect(tabs.get_by_role("tab", name="Graphs")).to_have_attribute("aria-selected", "true")
    page.wait_for_selector("#metrics-chart canvas")
    page.wait_for_selector("#bandwidth-chart canvas")
    assert page.locator("#metrics-chart figure").count() == 3
    page.select_option("#bandwidth-range", "7")
    page.wait_for_selector("#bandwidth-chart canvas, #bandwidth-chart .chart-status")

    tabs.get_by_role("tab", name="Overview").click()
    expect(page.locator("#power")).to_be_visible()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#power button:has-text('Restart')")  # asks first, like shut down; "Cancel" here
    expect(page.locator("#power button:has-text('Restart')")).to_be_visible()
    assert asked and "Restart ubuntu-2gb?" in asked[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#power button:has-text('Restart')")
    page.wait_for_selector("#power >> text=Restart requested.")
    assert [url for url in posts if url.endswith("/restart/")] == [posts[-1]]  # the cancel sent none
    assert "Busy" in page.inner_text("#power")
    assert not csp_errors(page)
