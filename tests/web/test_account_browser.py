"""The Accounts pages in a real browser: nothing scrolls sideways at 390 px, no CSP errors, and the
2FA set-up works by keyboard (the secret appears only after the button, with its QR code).

Why a browser: long e-mail addresses, referral links, the base32 secret and the QR code's fixed
SVG size only show their width in real layout.
"""

from __future__ import annotations

import os

import pytest

from panel.accounts.roles import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.web.browser import (
    BROWSER,
    PHONE,
    csp_errors,
    expect,
    horizontal_overflow,
    open_page,
    shoot,
    sign_in,
    wide_elements,
)
from tests.web.conftest import ALPHA, BETA

pytestmark = BROWSER


@pytest.fixture
def owner(transactional_db, web_team):
    """An owner with a long e-mail address, made before Playwright starts (see tests/web/browser.py)."""
    user = UserFactory(email="a.rather-long-name.for-a-phone@operations.example.com")
    return MembershipFactory(team=web_team, user=user, role=Role.OWNER)


@pytest.fixture
def phone(live_server):
    yield from open_page(live_server.url, viewport=PHONE)


def _fits(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert horizontal_overflow(page) <= 0, (url, wide_elements(page))


def test_account_pages_fit_a_phone_and_set_up_2fa_by_keyboard(owner, phone) -> None:
    sign_in(phone, owner.user.email, PASSWORD, next_url="/dashboard/")
    phone.wait_for_url("**/dashboard/")
    for url in (
        f"/vpsbg-accounts/?account={ALPHA}",
        f"/vpsbg-accounts/?account={BETA}",
        f"/vpsbg-accounts/profile/?account={ALPHA}",
        f"/vpsbg-accounts/2fa/disable/?account={ALPHA}",
        f"/vpsbg-accounts/affiliate/activate/?account={BETA}",
    ):
        _fits(phone, url)
        shoot(phone, "account" + url.split("?")[0].replace("/", "-").rstrip("-"))
    _fits(phone, f"/vpsbg-accounts/?account={BETA}")
    button = phone.get_by_role("button", name="Set up two-factor sign-in…")
    button.focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/vpsbg-accounts/2fa/secret/**")
    expect(phone.locator("code.secret")).to_be_visible()
    expect(phone.locator("figure.qr svg")).to_be_visible()
    assert horizontal_overflow(phone) <= 0, wide_elements(phone)
    if os.environ.get("SCREENSHOT_DIR"):
        shoot(phone, "account-2fa-secret")
    phone.get_by_label("Code from the authenticator app").fill("12")
    phone.keyboard.press("Enter")
    expect(phone.get_by_text("Enter the 6 digits the authenticator app shows.")).to_be_visible()
    expect(phone.locator("code.secret")).to_be_visible()  # the same secret is still there
    assert not csp_errors(phone)
