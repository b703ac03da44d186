"""In Chromium: select servers in the list, pick an action, type the count, land on the batch page;
and the bulk and schedule pages at 1280 and 390 px have no serious axe-core violation, no id used
twice, and nothing sticking out sideways."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from panel.accounts.roles import Role
from panel.bulk.models import BatchItem
from panel.operations.models import Operation
from panel.schedules.models import Schedule
from tests.factories import PASSWORD, MembershipFactory
from tests.web.browser import (
    BROWSER,
    DESKTOP,
    PHONE,
    expect,
    horizontal_overflow,
    open_page,
    sign_in,
    visit,
    wide_elements,
)
from tests.web.conftest import UBUNTU, WEB_02

pytestmark = BROWSER

SERIOUS = {"serious", "critical"}
_DUPLICATE_IDS_JS = """() => {
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}"""


@pytest.fixture
def owner(transactional_db, web_team):
    """Made before Playwright starts (tests/web/browser.py): a schedule and an ended batch."""
    membership = MembershipFactory(team=web_team, role=Role.OWNER)
    schedule = Schedule.objects.create(
        team=web_team,
        name="Nightly snapshots of the web servers",
        action="servers_snapshots_create",
        target_kind="server",
        target_value=UBUNTU,
        cron="0 3 * * *",
        time_zone="Europe/Sofia",
        anchor=timezone.now(),
        keep_last=7,
        owner=membership.user,
        owner_name=membership.user.email,
        next_run_at=timezone.now(),
    )
    batch = Operation.objects.create(
        team=web_team,
        kind="bulk_servers_restart",
        state="failed",
        target_type="batch",
        target_label="2 servers",
        actor=membership.user,
        params={"action": "servers_restart", "count": 2},
        error="1 of 2 servers failed (web-02.alpha.example: The server is not running.).",
    )
    BatchItem.objects.create(
        parent=batch, position=0, target=UBUNTU, target_label="ubuntu-2gb", request="{}", state="succeeded"
    )
    BatchItem.objects.create(
        parent=batch,
        position=1,
        target=WEB_02,
        target_label="web-02.alpha.example",
        request="{}",
        state="failed",
        error="The server is not running.",
    )
    membership.pages = [  # type: ignore[attr-defined]
        "/servers/",
        f"/bulk/new/?action=servers_restart&scope=selected&servers={UBUNTU}&servers={WEB_02}",
        f"/bulk/{batch.pk}/",
        "/schedules/",
        "/schedules/new/",
        "/schedules/new/?action=servers_snapshots_create",
        f"/schedules/{schedule.pk}/",
    ]
    return membership


@pytest.fixture
def page(live_server):
    yield from open_page(live_server.url)


def _violations(page) -> list[str]:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe.Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
        for node in v["nodes"]
    ]


def test_select_rows_pick_an_action_and_confirm_the_count(owner, page) -> None:
    sign_in(page, owner.user.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto("/servers/")
    page.get_by_label("Select ubuntu-2gb").check()
    page.get_by_label("Select web-02.alpha.example").check()
    page.select_option("#id_bulk_action", "servers_restart")
    page.get_by_role("button", name="Continue…").click()
    expect(page.get_by_role("heading", name="Restart on 2 servers")).to_be_visible()
    page.get_by_label("Type the number of servers to confirm").fill("2")
    page.get_by_role("button", name="Restart 2 servers").click()
    page.wait_for_url(re.compile(r".*/bulk/\d+/$"))
    expect(page.get_by_role("heading", name="Restart (bulk) on 2 servers")).to_be_visible()
    expect(page.locator("#batch-items")).to_contain_text("ubuntu-2gb")


def test_select_all_ticks_every_row(owner, page) -> None:
    sign_in(page, owner.user.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto("/servers/")
    page.get_by_label("Select every server shown").check()
    boxes = page.locator('#server-table input[name="servers"]')
    assert boxes.count() >= 2
    for i in range(boxes.count()):
        expect(boxes.nth(i)).to_be_checked()


def test_pages_pass_axe_and_fit_at_both_widths(owner, page) -> None:
    sign_in(page, owner.user.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    found: dict[str, list[str]] = {}
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        for url in owner.pages:
            if not visit(page, url):
                continue
            problems = _violations(page) + [f"id used twice: {i}" for i in page.evaluate(_DUPLICATE_IDS_JS)]
            if horizontal_overflow(page) > 0:
                problems.append(f"scrolls sideways by {horizontal_overflow(page)} px: {wide_elements(page)}")
            if problems:
                found[f"{url} at {label} px"] = problems
    assert found == {}
