"""At phone width (390 px) no page scrolls sideways, and the main navigation works on a phone.

Why in a real browser: overflow comes from the combination of Pico's styles, ours and the real
content (long e-mail addresses, twelve navigation areas, wide tables); only layout in Chromium
measures it. Wide tables may scroll inside their own wrapper; the page itself may not.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from panel.accounts.roles import Role
from panel.operations.models import Operation
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.web.browser import (
    BROWSER,
    PHONE,
    csp_errors,
    expect,
    horizontal_overflow,
    open_page,
    sign_in,
    wide_elements,
)
from tests.web.conftest import ALPHA, UBUNTU

pytestmark = BROWSER

# (URL name, args): the main pages; names not built yet are skipped (they join when they exist).
PAGES: list[tuple[str, tuple[Any, ...]]] = [
    ("web:dashboard", ()),
    ("web:servers", ()),
    ("web:server_detail", (UBUNTU,)),
    ("web:server_reinstall", (UBUNTU,)),
    ("web:billing", ()),
    ("web:order", (f"{ALPHA}:7814",)),
    ("web:library", ()),
    ("web:network", ()),
    ("web:support", ()),
    ("web:account", ()),
    ("web:deploy", ()),
    ("operations:list", ()),
    ("operations:detail", ("OP",)),
    ("accounts:team", ()),
    ("accounts:teams", ()),
    ("accounts:security", ()),
    ("vault:token_list", ()),
    ("vault:token_add", ()),
    ("api_tokens:list", ()),
    ("audit:index", ()),
]


def _urls(operation_pk: int) -> list[str]:
    urls = []
    for name, args in PAGES:
        try:
            urls.append(reverse(name, args=[operation_pk if a == "OP" else a for a in args]))
        except NoReverseMatch:
            continue
    return urls


@pytest.fixture
def owner(transactional_db, web_team):
    """An owner with a long e-mail address (the header must still fit), made before Playwright."""
    user = UserFactory(email="a.rather-long-name.for-a-phone@operations.example.com")
    membership = MembershipFactory(team=web_team, user=user, role=Role.OWNER)
    membership.team.name
    op = Operation.objects.create(
        kind="reinstall", team=web_team, actor=user, account_id=ALPHA, target_type="server",
        target_id=UBUNTU, target_label="ubuntu-2gb", params={"server": UBUNTU, "image_id": 80},
    )  # fmt: skip
    membership.operation_pk = op.pk  # type: ignore[attr-defined]
    return membership


@pytest.fixture
def phone(live_server):
    """A phone: 390 px wide, the meta viewport honoured, touch events."""
    yield from open_page(live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)


def test_no_page_scrolls_sideways_at_390px(owner, phone) -> None:
    phone.goto("/accounts/login/")
    assert horizontal_overflow(phone) <= 0, "the sign-in page scrolls sideways"
    sign_in(phone, owner.user.email, PASSWORD, next_url="/dashboard/")
    phone.wait_for_url("**/dashboard/")
    wide: dict[str, tuple[int, list[str]]] = {}
    for url in _urls(owner.operation_pk):
        response = phone.goto(url)
        if response is None or response.status >= 500:  # that page's own tests report it
            warnings.warn(f"{url} answered {response and response.status}; layout not checked", stacklevel=1)
            continue
        phone.wait_for_load_state("networkidle")  # htmx fragments and charts are in place
        if (extra := horizontal_overflow(phone)) > 0:
            wide[url] = (extra, wide_elements(phone))
    assert wide == {}, f"pages wider than 390 px (extra px, what sticks out): {wide}"
    assert not csp_errors(phone)


def test_phone_menu_opens_by_touch_and_keyboard(owner, phone) -> None:
    sign_in(phone, owner.user.email, PASSWORD, next_url="/dashboard/")
    phone.wait_for_url("**/dashboard/")
    menu = phone.locator("nav.areas details")
    assert menu.locator("summary").inner_text().startswith("Menu")
    expect(menu.get_by_role("link", name="Billing")).to_be_hidden()
    menu.locator("summary").tap()
    expect(menu.get_by_role("link", name="Billing")).to_be_visible()
    menu.get_by_role("link", name="Billing").tap()
    phone.wait_for_url("**/billing/**")
    assert "Billing" in phone.locator("nav.areas summary").inner_text()  # shows where you are

    phone.locator("nav.areas summary").focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("nav.areas details").get_by_role("link", name="Library")).to_be_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Dashboard"
    assert horizontal_overflow(phone) <= 0

    phone.locator("summary[aria-label='User menu']").tap()  # the user menu fits on the screen too
    expect(phone.get_by_role("button", name="Sign out")).to_be_visible()
    assert horizontal_overflow(phone) <= 0, wide_elements(phone)
    box = phone.get_by_role("button", name="Sign out").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
