"""`make screenshots`: PNGs of the main pages at desktop and phone widths, for the README.

Runs only when SCREENSHOT_DIR is set (the Makefile target sets `docs/screenshots`), so the normal
suite never writes files. Pages come from URL names; a name that does not resolve yet (an area
still being built) is skipped, so the list picks new areas up once they exist. The data is the
simulator's demo seed plus a running operation and a few audit events, made before Playwright.

Each screenshot is the first screen at desktop width, up to two screens at phone width, and (when
Pillow is installed) reduced to a 256-colour palette: the files go into git and should stay small.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from panel.accounts.roles import Role
from panel.operations.models import Operation, State, StepLog
from panel.services import servers
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.web.browser import BROWSER, DESKTOP, PHONE, open_page, sign_in
from tests.web.conftest import ALPHA, UBUNTU, WEB_02

TARGET = os.environ.get("SCREENSHOT_DIR", "")

pytestmark = [
    *BROWSER,
    pytest.mark.skipif(not TARGET, reason="set SCREENSHOT_DIR (make screenshots) to save screenshots"),
]

# (file name, URL name, args): "OP" stands for the running operation made below.
SHOTS: list[tuple[str, str, tuple[Any, ...]]] = [
    ("dashboard", "web:dashboard", ()),
    ("servers", "web:servers", ()),
    ("server", "web:server_detail", (UBUNTU,)),
    ("reinstall", "web:server_reinstall", (UBUNTU,)),
    ("operation", "operations:detail", ("OP",)),
    ("billing", "web:billing", ()),
    ("library", "web:library", ()),
    ("network", "web:network", ()),
    ("support", "web:support", ()),
    ("account", "web:account", ()),
    ("deploy", "web:deploy", ()),
    ("team", "accounts:team", ()),
    ("tokens", "vault:token_list", ()),
    ("audit", "audit:index", ()),
]


@pytest.fixture
def owner(transactional_db, web_team):
    """The demo's owner, an operation halfway through, and a few audit events (before Playwright)."""
    user = UserFactory(email="demo@example.com", full_name="Dana Demo")
    membership = MembershipFactory(team=web_team, user=user, role=Role.OWNER)
    servers.servers_restart(actor=membership, server=UBUNTU, reason="Kernel update")
    servers.servers_start(actor=membership, server=WEB_02, reason="Back after maintenance")
    op = Operation.objects.create(
        kind="reinstall", team=web_team, actor=user, actor_name="Dana Demo <demo@example.com>",
        account_id=ALPHA, target_type="server", target_id=UBUNTU, target_label="ubuntu-2gb",
        params={"server": UBUNTU, "image_id": 80}, state=State.RUNNING, progress=60, attempts=1,
        step="Waiting for VPSBG to finish the reinstall",
    )  # fmt: skip
    for message in (
        "Requested by Dana Demo <demo@example.com>. Reason: fresh start",
        "Server checked: ubuntu-2gb is active and not locked.",
        "VPSBG accepted the reinstall.",
        "Waiting for VPSBG to finish the reinstall (checks every 5 s).",
    ):
        StepLog.objects.create(operation=op, message=message)
    membership.operation_pk = op.pk  # type: ignore[attr-defined]
    return membership


@pytest.fixture
def page(live_server):
    yield from open_page(live_server.url)


def _save(page: Any, name: str, *, only_phone: bool = False) -> None:
    """The first screen at desktop width; at phone width up to two screens (phones scroll)."""
    folder = Path(TARGET)
    folder.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        if only_phone and label == "desktop":
            continue
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)  # charts redraw on resize
        path = folder / f"{name}-{label}.png"
        options: dict[str, Any] = {"animations": "disabled", "caret": "hide"}
        if label == "phone":
            height = min(int(page.evaluate("document.documentElement.scrollHeight")), 2 * PHONE["height"])
            options.update(full_page=True, clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height})
        page.screenshot(path=str(path), **options)
        _shrink(path)
    page.set_viewport_size(DESKTOP)


def _shrink(path: Path) -> None:
    try:
        from PIL import Image
    except ImportError:  # keep the plain PNG
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def _url(name: str, args: tuple[Any, ...], operation_pk: int) -> str | None:
    try:
        return reverse(name, args=[operation_pk if a == "OP" else a for a in args])
    except NoReverseMatch:
        return None


def test_screenshots_of_the_main_pages(owner, page) -> None:
    page.goto("/accounts/login/")
    _save(page, "signin")
    sign_in(page, owner.user.email, PASSWORD, next_url="/dashboard/")
    page.wait_for_url("**/dashboard/")
    page.set_viewport_size(PHONE)
    page.locator("nav.areas summary").click()  # the phone's menu, open
    _save(page, "menu", only_phone=True)
    saved = ["signin", "menu"]
    for name, url_name, args in SHOTS:
        url = _url(url_name, args, owner.operation_pk)
        if url is None:  # not built yet
            continue
        response = page.goto(url)
        if response is None or response.status >= 500:
            continue  # a broken page is its own tests' business; no picture of an error
        page.wait_for_load_state("networkidle")
        _save(page, name)
        saved.append(name)
    assert {"signin", "dashboard", "servers", "server", "operation", "audit"} <= set(saved)
