"""At phone width (390 px) no page scrolls sideways, and the main navigation works on a phone.

Why in a real browser: overflow comes from the combination of Pico's styles, ours and the real
content (long e-mail addresses, twelve navigation areas, wide tables); only layout in Chromium
measures it. Wide tables may scroll inside their own wrapper; the page itself may not.
"""

from __future__ import annotations

from typing import Any

import pytest

from panel.accounts.roles import Role
from panel.audit.recorder import record
from panel.operations.models import Operation
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.web.browser import (
    BROWSER,
    DESKTOP,
    PHONE,
    csp_errors,
    expect,
    horizontal_overflow,
    main_page_urls,
    open_page,
    sign_in,
    visit,
    wide_elements,
)
from tests.web.conftest import ALPHA, UBUNTU

pytestmark = BROWSER

# What a reader notices as broken, measured in the page (one pass per page and width):
# - clipped: content cut by an ancestor that clips (overflow hidden/clip) or by the window, with
#   no scrolling box in between (a table too wide for a phone must scroll in its own box);
# - a select whose chosen text is wider than the room it gives ("Active a", "Hostnar");
# - at 1280 px, a date, time, IP address or hostname broken over two lines.
_LAYOUT_JS = r"""(checkWraps) => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const shown = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= 0
      && el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true}); };
  const clipped = [], cutSelects = [], wrapped = [];
  for (const el of document.querySelectorAll('main *, header *')) {
    if (!shown(el) || el.closest('.visually-hidden, .skip-link')) continue;
    const r = el.getBoundingClientRect();
    for (let p = el.parentElement; p; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll') break;
      const root = p === document.documentElement;
      const limit = root ? window.innerWidth : p.getBoundingClientRect().right;
      if ((ox === 'hidden' || ox === 'clip' || root) && r.right > limit + 1) {
        clipped.push(name(el) + ' right=' + Math.round(r.right) + ' > ' + Math.round(limit));
        break;
      }
      if (ox === 'hidden' || ox === 'clip') break;
    }
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const sel of document.querySelectorAll('main select, header select')) {
    if (!shown(sel) || sel.selectedIndex < 0) continue;
    const s = getComputedStyle(sel);
    canvas.font = s.fontWeight + ' ' + s.fontSize + ' ' + s.fontFamily;
    const text = sel.options[sel.selectedIndex].text.trim();
    const room = sel.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    // On a phone a select already as wide as its box cannot grow: only a squeezed one counts.
    const box = sel.parentElement.getBoundingClientRect().width;
    const squeezed = checkWraps || sel.getBoundingClientRect().width < box - 2;
    if (squeezed && canvas.measureText(text).width > room + 1) cutSelects.push(name(sel) + ' "' + text + '"');
  }
  if (checkWraps) {
    const moment = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/, ip = /^\d{1,3}(\.\d{1,3}){3}$/;
    const host = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
    const pattern = {test: (t) => moment.test(t) || ip.test(t) || host.test(t)};
    for (const el of document.querySelectorAll('main time, main code, main td, main td a, main dd')) {
      const text = el.textContent.trim();
      if (!shown(el) || !(el.tagName === 'TIME' || pattern.test(text))) continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      // Boxes more than most of a line apart are separate lines (padding of <code> is not).
      const tops = [...range.getClientRects()].filter(q => q.width > 0).map(q => q.top).sort((a, b) => a - b);
      const line = parseFloat(getComputedStyle(el).fontSize) * 0.8;
      if (tops.some((top, i) => i > 0 && top - tops[i - 1] > line)) wrapped.push(name(el) + ': ' + text);
    }
  }
  return {clipped: clipped.slice(0, 6), cut_selects: cutSelects, wrapped: wrapped.slice(0, 6)};
}"""


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
    event = record(
        actor=user, team=web_team, operation_id="servers_reinstall",
        target_type="server", target_id=UBUNTU, target_label="ubuntu-2gb",
        params={"image_id": 80}, outcome="ok", upstream_status=202,
    )  # fmt: skip
    membership.event_pk = event.pk  # type: ignore[attr-defined]
    return membership


@pytest.fixture
def phone(live_server):
    """A phone: 390 px wide, the meta viewport honoured, touch events."""
    yield from open_page(live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def desktop(live_server):
    """One browser for the walk over every page at both widths (the viewport changes, not the tab)."""
    yield from open_page(live_server.url)


def test_no_page_scrolls_sideways_at_390px(owner, phone) -> None:
    phone.goto("/accounts/login/")
    assert horizontal_overflow(phone) <= 0, "the sign-in page scrolls sideways"
    sign_in(phone, owner.user.email, PASSWORD, next_url="/dashboard/")
    phone.wait_for_url("**/dashboard/")
    wide: dict[str, tuple[int, list[str]]] = {}
    for url in main_page_urls(owner.operation_pk, owner.event_pk):
        if visit(phone, url) and (extra := horizontal_overflow(phone)) > 0:
            wide[url] = (extra, wide_elements(phone))
    assert wide == {}, f"pages wider than 390 px (extra px, what sticks out): {wide}"
    assert not csp_errors(phone)


def test_main_pages_clip_nothing_cut_no_select_and_wrap_no_date_or_ip(owner, desktop) -> None:
    """At 1280 and at 390 px: nothing clipped without a scroll box, no select's chosen text cut,
    the page never wider than the window; at 1280 px no date, IP or hostname over two lines."""
    sign_in(desktop, owner.user.email, PASSWORD, next_url="/dashboard/")
    desktop.wait_for_url("**/dashboard/")
    problems: dict[str, dict[str, Any]] = {}
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        desktop.set_viewport_size(viewport)
        for url in main_page_urls(owner.operation_pk, owner.event_pk):
            if not visit(desktop, url):
                continue
            found = desktop.evaluate(_LAYOUT_JS, label == "1280")
            if (extra := horizontal_overflow(desktop)) > 0:
                found["sideways"] = [extra, *wide_elements(desktop)]
            if found := {k: v for k, v in found.items() if v}:
                problems[f"{url} at {label} px"] = found
    assert problems == {}, "\n" + "\n".join(f"{where}: {found}" for where, found in problems.items())


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


def test_slash_focuses_the_search_and_escape_closes_a_menu(owner, desktop) -> None:
    sign_in(desktop, owner.user.email, PASSWORD, next_url="/servers/")
    desktop.wait_for_url("**/servers/")
    desktop.locator("main h1").click()  # the focus on the page, not in a field
    desktop.keyboard.press("/")
    assert desktop.evaluate("document.activeElement.name") == "q"
    desktop.keyboard.type("web-0")  # the list follows the search, the address can be shared
    desktop.wait_for_url("**/servers/?*q=web-0*")
    expect(desktop.locator("table.servers tbody tr")).to_have_count(2)
    assert "/" not in desktop.input_value("input[name=q]")  # the slash itself is not typed

    desktop.locator("summary[aria-label='User menu']").click()
    expect(desktop.get_by_role("button", name="Sign out")).to_be_visible()
    desktop.keyboard.press("Escape")
    expect(desktop.get_by_role("button", name="Sign out")).to_be_hidden()
