"""In a real Chromium: sign in, enroll TOTP, sign out, sign in again with a code."""
from __future__ import annotations

import os
import shutil
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from panel.accounts.roles import Role
from tests.factories import PASSWORD, MembershipFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
]


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(b32decode(secret))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


@pytest.fixture
def page(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url)
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.csp_errors = errors  # type: ignore[attr-defined]
        yield tab
        context.close()
        browser.close()


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/?next=/team/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")


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
    page.fill("input[name=token]", _code(secret))
    page.click("main form button[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10

    page.click("summary[aria-label='User menu']")
    page.click("form.signout button")
    page.wait_for_url("**/accounts/login/")

    _sign_in(page, membership.user.email)
    page.wait_for_url("**/accounts/2fa/verify/**")
    # The enrollment used this period's code; a code is never accepted twice, so use the next one
    # (within the device's one-step tolerance), as an app would show it seconds later.
    page.fill("input[name=token]", _code(secret, steps_ahead=1))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/team/")
    assert membership.team.name in page.inner_text("main")
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
