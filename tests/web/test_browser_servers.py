"""In a real Chromium: sign in, list servers, filter, open one, see its charts, restart it.

Also saves screenshots of the pages at desktop and phone widths when `SCREENSHOT_DIR` is set
(what `make screenshots` can point at `docs/screenshots/`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from panel.accounts.roles import Role
from tests.factories import PASSWORD, MembershipFactory
from tests.web.conftest import BETA

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
]


@pytest.fixture
def operator(transactional_db, web_team):
    """Made before Playwright starts (ORM use inside its greenlet leaks a connection)."""
    membership = MembershipFactory(team=web_team, role=Role.OPERATOR)
    membership.team.name
    return membership


@pytest.fixture
def page(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.console_errors = errors  # type: ignore[attr-defined]
        yield tab
        context.close()
        browser.close()


def _shoot(page, name: str) -> None:
    """Desktop and phone screenshots of the current page, when SCREENSHOT_DIR is set."""
    target = os.environ.get("SCREENSHOT_DIR")
    if not target:
        return
    Path(target).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(target) / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    page.screenshot(path=str(Path(target) / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_list_filter_open_and_restart_a_server(operator, page) -> None:
    page.goto("/accounts/login/?next=/")
    page.fill("input[name=username]", operator.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect = pytest.importorskip("playwright.sync_api").expect
    page.wait_for_url("**/dashboard/")
    assert "Servers" in page.inner_text("main")
    _shoot(page, "dashboard")

    page.click("nav.areas >> text=Servers")
    page.wait_for_url("**/servers/")
    assert page.locator("table.servers tbody tr").count() >= 10
    _shoot(page, "servers")

    page.select_option("#id_account", BETA)  # htmx swaps the table and pushes the URL
    page.wait_for_url("**account=admin%40beta.example**")
    expect(page.locator("table.servers tbody tr")).to_have_count(2)
    assert "ubuntu-2gb" not in page.inner_text("#server-table")

    page.select_option("#id_account", "")
    page.fill("#id_q", "ubuntu")
    expect(page.locator("table.servers tbody tr")).to_have_count(1)
    page.click("table.servers >> text=ubuntu-2gb")
    page.wait_for_url("**/servers/ops@alpha.example:2864/")
    page.wait_for_selector("#metrics-chart canvas")
    page.wait_for_selector("#bandwidth-chart canvas")
    assert page.locator("#metrics-chart figure").count() == 3
    page.select_option("#bandwidth-range", "7")
    page.wait_for_selector("#bandwidth-chart canvas, #bandwidth-chart .chart-status")
    _shoot(page, "server")

    page.click("#power button:has-text('Restart')")
    page.wait_for_selector("#power >> text=Restart requested.")
    assert "Busy" in page.inner_text("#power")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
