"""axe-core in a real Chromium on the main pages: contrast, keyboard-reachable scroll regions,
table headers with text, unique ids and labels (the rules a person using a keyboard or a screen
reader, or with weak eyes, notices first)."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.web.server_tabs import TABS
from tests.factories import PASSWORD, InvitationFactory, MembershipFactory
from tests.web.browser import BROWSER, DESKTOP, PHONE, open_page, sign_in
from tests.web.conftest import BETA, UBUNTU

pytestmark = BROWSER

PAGES = {
    "dashboard": "/dashboard/",
    "server": f"/servers/{UBUNTU}/",
    "deploy plans": f"/deploy/?account={BETA}&goto=plan",
    "team": "/team/",
}


@pytest.fixture
def owner(transactional_db, web_team):
    """Made before Playwright starts (see tests/web/browser.py); the team has an invitation out."""
    membership = MembershipFactory(team=web_team, role=Role.OWNER)
    InvitationFactory(team=web_team, email="sam@example.test")
    membership.team.name
    return membership


@pytest.fixture
def page(live_server):
    # A phone-wide window: the tables scroll sideways there, which is when a region must be focusable.
    yield from open_page(live_server.url, viewport=PHONE)


def _violations(page) -> list[str]:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")  # the `test` extras have it
    results = axe.Axe().run(page)
    return [
        f"{v['id']}: {node['target']} {node.get('failureSummary', '')[:160]}"
        for v in results.response["violations"]
        for node in v["nodes"]
    ]


def test_main_pages_have_no_axe_violations(owner, page) -> None:
    sign_in(page, owner.user.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    found = {}
    for name, path in PAGES.items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found[name] = _violations(page)
    assert found == {name: [] for name in PAGES}


# -- the server page's tabs (each is its own page: `?tab=`), at desktop and phone width ----------
SERVER_TABS = [name for name, _ in TABS]


def test_server_tabs_have_no_axe_violations_and_stay_short(owner, page) -> None:
    sign_in(page, owner.user.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    found, heights = {}, {}
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for tab in SERVER_TABS:
            page.goto(f"/servers/{UBUNTU}/?tab={tab}")
            page.wait_for_load_state("networkidle")
            found[f"{tab} {label}"] = _violations(page)
            if label == "desktop":
                heights[tab] = int(page.evaluate("document.documentElement.scrollHeight"))
    assert found == {key: [] for key in found}
    # A layout measurement, not a timing: the single page was 5,323 px tall at 1280 px; each tab
    # is at most two screens, and the overview fits in one.
    assert max(heights.values()) <= 2 * DESKTOP["height"], heights
    assert heights["overview"] <= DESKTOP["height"], heights
