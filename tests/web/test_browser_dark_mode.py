"""Dark mode follows the system's `prefers-color-scheme`: the pages turn dark, and what we colour
ourselves (state badges, red buttons, the danger zone, the sign-in page) keeps its contrast."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from tests.factories import PASSWORD, MembershipFactory
from tests.web.browser import BROWSER, csp_errors, open_page, sign_in
from tests.web.conftest import UBUNTU
from tests.web.test_browser_accessibility import _violations

pytestmark = BROWSER

SERVER = f"/servers/{UBUNTU}/"
PAGES = [SERVER, f"{SERVER}?tab=danger", f"{SERVER}?tab=rebuild", "/servers/"]


@pytest.fixture
def owner(transactional_db, web_team):
    membership = MembershipFactory(team=web_team, role=Role.OWNER)
    membership.team.name
    return membership


@pytest.fixture
def page(live_server):
    yield from open_page(live_server.url, color_scheme="dark")


def _background_lightness(page) -> float:
    """The body's background as 0 (black) to 1 (white)."""
    rgb = page.evaluate(
        "getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g).slice(0, 3).map(Number)"
    )
    return sum(rgb) / (3 * 255)


def test_pages_turn_dark_and_keep_their_contrast(owner, page) -> None:
    page.goto("/accounts/login/")
    assert _background_lightness(page) < 0.25
    found = {"sign-in": _violations(page)}
    sign_in(page, owner.user.email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert _background_lightness(page) < 0.25, path
        found[path] = _violations(page)
    assert found == {key: [] for key in found}
    page.goto(f"{SERVER}?tab=danger")
    red = page.evaluate("getComputedStyle(document.querySelector('.danger-zone h2')).color")
    assert red != page.evaluate("getComputedStyle(document.body).color")  # still set apart in red
    assert not csp_errors(page)
