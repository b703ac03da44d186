"""Shared pieces of the browser tests: a real Chromium (Debian's) driven by Playwright.

Why one module: every browser test launches the same Chromium with the same flags, signs in the
same way and may save screenshots for `make screenshots`; keeping that here means a change of
flags or of the sign-in form is made once.

The ORM-before-Playwright rule: Playwright's sync API runs its event loop in a greenlet of this
thread. Create database rows in fixtures that are set up *before* the `page` fixture (list them
first in the test's arguments): ORM use while Playwright starts can open a connection that
nothing closes (PostgreSQL then refuses to drop the test database).
"""

from __future__ import annotations

import os
import shutil
import time
from base64 import b32decode
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ALPHA, UBUNTU

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Every wait of a page action and of `expect`: generous, since a loaded machine may take seconds to
# render what an idle one shows at once; a passing test never waits for it.
TIMEOUT_MS = 30_000

# `pytestmark = BROWSER` in a test module: marked `browser`, skipped cleanly without Chromium.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
]


def sync_api() -> Any:
    """playwright.sync_api, or a clean skip when Playwright is not installed."""
    return pytest.importorskip("playwright.sync_api")


def expect(target: Any) -> Any:
    """Playwright's `expect` (retries until the condition holds or `TIMEOUT_MS` passes)."""
    api = sync_api()
    api.expect.set_options(timeout=TIMEOUT_MS)  # Playwright's own default is 5 s
    return api.expect(target)


def open_page(base_url: str, viewport: dict[str, int] | None = None, **options: Any) -> Iterator[Any]:
    """A fresh browser and tab on `base_url`; console errors collected in `page.console_errors`.

    `options` go to the browser context (e.g. `is_mobile=True, has_touch=True` for a phone).
    """
    with sync_api().sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport=viewport or DESKTOP, **options)
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.console_errors = errors  # type: ignore[attr-defined]
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def csp_errors(page: Any) -> list[str]:
    """Console errors about the Content Security Policy (an inline script or style slipped in)."""
    return [e for e in page.console_errors if "Content Security Policy" in e]


def totp_code(secret: str | bytes, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second periods later).

    `secret`: the base32 text shown at enrolment, or a device's raw key (`TOTPDevice.bin_key`).
    """
    from django_otp.oath import TOTP

    totp = TOTP(secret if isinstance(secret, bytes) else b32decode(secret))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def sign_in(page: Any, email: str, password: str, *, next_url: str = "/", code: str | None = None) -> None:
    """Sign in through the form; with `code`, answer the second-factor page too."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    if code is not None:
        page.wait_for_url("**/accounts/2fa/verify/**")
        page.fill("input[name=token]", code)
        page.click("main form button[type=submit]")


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def shoot(page: Any, name: str, directory: str | None = None) -> None:
    """Desktop and phone screenshots of the current page into `directory` (or SCREENSHOT_DIR).

    Nothing happens when neither is set, so a journey can call it unconditionally.
    """
    target = directory or os.environ.get("SCREENSHOT_DIR")
    if not target:
        return
    Path(target).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or DESKTOP
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(150)
        page.screenshot(path=str(Path(target) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


_WIDE_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > window.innerWidth + 0.5) {
      let clipped = false;  // inside a wrapper that scrolls or clips: not the page's overflow
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)
            && p.getBoundingClientRect().right <= window.innerWidth + 0.5) { clipped = true; break; }
      }
      const cls = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      if (!clipped) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls
        + ' right=' + Math.round(r.right));
    }
  }
  return out.slice(0, 8);
}"""


# (URL name, args) of the main pages every layout and accessibility check visits; "OP" stands for
# an operation the test made, "EV" for an audit event. Names not built yet are skipped (they join
# when they exist).
MAIN_PAGES: list[tuple[str, tuple[Any, ...]]] = [
    ("web:dashboard", ()),
    ("web:servers", ()),
    ("web:server_detail", (UBUNTU,)),
    ("web:server_reinstall", (UBUNTU,)),
    ("web:server_buy_addon", (UBUNTU,)),
    ("web:server_renew", (UBUNTU,)),
    ("web:billing", ()),
    ("web:order", (f"{ALPHA}:7814",)),
    ("web:library", ()),
    ("web:ssh_key", (f"{ALPHA}:90",)),
    ("web:network", ()),
    ("web:network_protection", (f"{ALPHA}:404",)),
    ("web:network_attack", (f"{ALPHA}:404", "Ws8PeaCFn4bZ4Rf")),
    ("web:floating_ip_purchase", ()),
    ("web:support", ()),
    ("web:ticket", (f"{ALPHA}:216",)),
    ("web:ticket_create", ()),
    ("web:account", ()),
    ("web:account_profile", ()),
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
    ("audit:detail", ("EV",)),
    ("guardrails:index", ()),
    ("guardrails:rules", ()),
    ("guardrails:budgets", ()),
    ("guardrails:freezes", ()),
    ("guardrails:elevations", ()),
]


def main_page_urls(operation_pk: int, event_pk: int | None = None) -> list[str]:
    """The paths of MAIN_PAGES that exist in this build (the audit event's page when given one)."""
    from django.urls import NoReverseMatch, reverse

    urls = []
    for name, args in MAIN_PAGES:
        if "EV" in args and event_pk is None:
            continue
        try:
            urls.append(reverse(name, args=[{"OP": operation_pk, "EV": event_pk}.get(a, a) for a in args]))
        except NoReverseMatch:
            continue
    return urls


def visit(page: Any, url: str) -> bool:
    """Open `url` and wait for htmx fragments and charts; False (with a warning) on a 5xx, which
    that page's own tests report."""
    import warnings

    response = page.goto(url)
    if response is None or response.status >= 500:
        warnings.warn(f"{url} answered {response and response.status}; not checked", stacklevel=2)
        return False
    page.wait_for_load_state("networkidle")
    return True


def wide_elements(page: Any) -> list[str]:
    """The first elements that stick out of the window on the right (to say *what* overflows)."""
    return list(page.evaluate(_WIDE_JS))
