"""In a real Chromium: sign in, enroll TOTP, sign out, sign in again with a code."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from tests.factories import PASSWORD, MembershipFactory
from tests.web.browser import BROWSER, csp_errors, open_page, sign_in, totp_code

pytestmark = BROWSER


@pytest.fixture
def page(live_server):
    yield from open_page(live_server.url)


def _sign_in(page, email: str) -> None:
    sign_in(page, email, PASSWORD, next_url="/team/")


@pytest.fixture
def membership(transactional_db):
    """Made before Playwright starts: ORM use inside its greenlet would open a connection that
    nothing closes (PostgreSQL then refuses to drop the test database)."""
    membership = MembershipFactory(role=Role.OWNER)
    membership.team.name  # loaded now, not later inside Playwright's greenlet
    return membership


def test_enroll_totp_then_sign_in_with_a_code(membership, page) -> None:
    _sign_in(page, membership.user.email)
    page.wait_for_url("**/team/")
    page.goto("/accounts/security/")
    page.click("text=Set up a second factor")
    assert page.locator(".totp-qr svg").count() == 1
    secret = page.inner_text("#totp-secret").strip()
    page.fill("input[name=token]", totp_code(secret))
    page.click("main form button[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10

    page.click("summary[aria-label='User menu']")
    page.click("form.signout button")
    page.wait_for_url("**/accounts/login/")

    _sign_in(page, membership.user.email)
    page.wait_for_url("**/accounts/2fa/verify/**")
    # The enrollment used this period's code; a code is never accepted twice, so use the next one
    # (within the device's one-step tolerance), as an app would show it seconds later.
    page.fill("input[name=token]", totp_code(secret, steps_ahead=1))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/team/")
    assert membership.team.name in page.inner_text("main")
    assert not csp_errors(page)
