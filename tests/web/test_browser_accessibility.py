"""axe-core in a real Chromium on every main page at 1280 and 390 px: contrast, keyboard-reachable
scroll regions, table headers with text, unique ids and labels (the rules a person using a keyboard
or a screen reader, or with weak eyes, notices first)."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.audit.recorder import record
from panel.operations.models import Operation
from panel.web.server_tabs import TABS
from tests.factories import PASSWORD, InvitationFactory, MembershipFactory
from tests.web.browser import BROWSER, DESKTOP, PHONE, main_page_urls, open_page, sign_in, visit
from tests.web.conftest import ALPHA, BETA, UBUNTU

pytestmark = BROWSER

SERIOUS = {"serious", "critical"}
DEPLOY_PLANS = f"/deploy/?account={BETA}&goto=plan"  # a wizard step the main-page list does not reach

_DUPLICATE_IDS_JS = """() => {
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}"""


@pytest.fixture
def owner(transactional_db, web_team):
    """Made before Playwright starts (see tests/web/browser.py); the team has an invitation out."""
    membership = MembershipFactory(team=web_team, role=Role.OWNER)
    InvitationFactory(team=web_team, email="sam@example.test")
    membership.team.name
    op = Operation.objects.create(
        kind="reinstall", team=web_team, actor=membership.user, account_id=ALPHA, target_type="server",
        target_id=UBUNTU, target_label="ubuntu-2gb", params={"server": UBUNTU, "image_id": 80},
    )  # fmt: skip
    membership.operation_pk = op.pk  # type: ignore[attr-defined]
    event = record(
        actor=membership.user, team=web_team, operation_id="servers_reinstall",
        target_type="server", target_id=UBUNTU, target_label="ubuntu-2gb",
        params={"image_id": 80}, outcome="ok", upstream_status=202,
    )  # fmt: skip
    membership.event_pk = event.pk  # type: ignore[attr-defined]
    return membership


@pytest.fixture
def page(live_server):
    # One browser for every page at both widths; at phone width the tables scroll sideways, which
    # is when a scrolling region must be reachable by keyboard.
    yield from open_page(live_server.url)


def _violations(page) -> list[str]:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")  # the `test` extras have it
    results = axe.Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')[:160]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
        for node in v["nodes"]
    ]


def test_main_pages_have_no_serious_axe_violation_and_unique_ids(owner, page) -> None:
    """Every main page at 1280 and at 390 px: no serious or critical axe-core violation, no id twice."""
    sign_in(page, owner.user.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    found: dict[str, list[str]] = {}
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        for url in [*main_page_urls(owner.operation_pk, owner.event_pk), DEPLOY_PLANS]:
            if not visit(page, url):
                continue
            problems = _violations(page) + [f"id used twice: {i}" for i in page.evaluate(_DUPLICATE_IDS_JS)]
            if problems:
                found[f"{url} at {label} px"] = problems
    assert found == {}


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
