"""The panel's main journeys in a real Chromium, end to end, with a real Celery worker.

An owner signs in with the second factor, adds a VPSBG token, lists the servers, shuts one down and
starts it again, reinstalls another and watches the progress to the end, pays an order, then finds
all of it in the audit log; a viewer sees the same pages without a single write action.

Why this setup: long operations (reinstall, payment) run in a worker *process*, so the database must
be one that process can open too. Like `tests/operations/test_worker.py`, this module switches its
connection to a private database (an SQLite file, or a fresh PostgreSQL database on CI), migrates
it, and serves the panel from its own live-server thread on that database (pytest-django's
`live_server` is session-wide and may hold the in-memory database). The broker is kombu's
filesystem transport in a temporary folder, as in demo mode, so no Redis is needed. The simulator
runs with a real clock and one-second actions, so the pages really wait for VPSBG.

The tests run in order and share one signed-in browser tab (a TOTP code is accepted only once).
All rows are created in module fixtures before Playwright starts (see `tests/web/browser.py`).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from cryptography.fernet import Fernet
from django.test.utils import override_settings

from panel.accounts.models import EncryptedTOTPDevice as TOTPDevice
from panel.accounts.roles import Role
from panel.celery import app as panel_app
from panel.operations import tasks
from panel.web.templatetags.web_tags import action_words
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.operations.test_worker import Beat, Worker
from tests.private_db import private_database
from tests.web.browser import (
    BROWSER,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    csp_errors,
    expect,
    sync_api,
    totp_code,
)
from tests.web.conftest import ALPHA, LABELS, store_token
from vpsbg_api.simulator.clock import Clock
from vpsbg_api.simulator.domain import create_order
from vpsbg_api.simulator.testing import RunningSimulator, running_simulator

pytestmark = [*BROWSER, pytest.mark.worker, pytest.mark.slow]

KEY = Fernet.generate_key().decode()  # one key: the worker decrypts what this process stored
STOP_START = f"{ALPHA}:2866"  # web-02.alpha.example
REINSTALL = f"{ALPHA}:2865"  # web-01.alpha.example
LONG_MS = 60_000
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # a whole operation through the worker


# -- the stack: database, simulator, broker, worker, web server ---------------------------------
@pytest.fixture(scope="module")
def private_db(django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """Point this process's connection at a database the worker can open too; migrate it."""
    with private_database(django_db_blocker, tmp_path_factory.mktemp("journeydb"), "journeys") as url:
        yield url


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(clock=Clock(), action_seconds=1.0, power_seconds=0.5) as running:
        yield running


@pytest.fixture(scope="module")
def broker_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("broker")


def _transport_options(folder: Path) -> dict[str, str]:
    for sub in ("queue", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    queue = str(folder / "queue")
    return {"data_folder_in": queue, "data_folder_out": queue, "control_folder": str(folder / "control")}


@pytest.fixture(scope="module")
def worker(private_db, sim, broker_dir, tmp_path_factory) -> Iterator[Worker]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_SETTINGS"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="panel.settings",
        DATABASE_URL=private_db,
        CELERY_BROKER_URL="filesystem://localhost/",
        CELERY_BROKER_DIR=str(broker_dir),
        CELERY_RESULT_BACKEND="",
        CACHE_URL="locmemcache://",
        PANEL_ENCRYPTION_KEYS=KEY,
        PANEL_VAR_DIR=str(tmp_path_factory.mktemp("workervar")),
        VPSBG_API_URL=sim.base_url,
        VPSBG_API_TIMEOUT="2",
        OPERATIONS_POLL_SECONDS="0.3",
        OPERATIONS_RETRY_BASE="0.3",
        LOG_FORMAT="console",
        PYTHONUNBUFFERED="1",
    )
    running = Worker(env, "operations,default", tmp_path_factory.mktemp("logs") / "worker.log")
    running.wait_ready()
    beat = Beat(env, tmp_path_factory.mktemp("beat"))  # wakes parked operations (the dispatcher)
    yield running
    beat.stop()
    running.kill()  # nothing is running by now; a warm shutdown only waits
    running.stop()


@pytest.fixture(scope="module")
def enqueue_to_worker(broker_dir) -> Iterator[None]:
    """The web server (this process) enqueues on the worker's filesystem broker.

    The panel's own app's task is patched, not `tasks.run_operation`'s current object: that proxy
    resolves per thread, and an app another test made current in this thread is not the one the
    live server's thread resolves to (which then sent to the suite's Redis, never read here).
    """
    sender = Celery("journeys-sender", broker="filesystem://localhost/", set_as_current=False)
    sender.conf.broker_transport_options = _transport_options(broker_dir)
    task = panel_app.tasks[tasks.run_operation.name]  # the task every thread of the panel resolves to

    def apply_async(args: Any = None, task_id: str | None = None, **_: Any) -> None:
        sender.send_task(task.name, args=args, task_id=task_id, queue="operations")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(task, "apply_async", apply_async)
        yield
    sender.close()


@pytest.fixture(autouse=True)
def _web_settings(settings, sim) -> None:
    """Replaces tests/web/conftest.py's fresh key per test: the tokens outlive a test here."""
    settings.PANEL_ENCRYPTION_KEYS = [KEY]
    settings.VPSBG_API_URL = sim.base_url
    settings.VPSBG_API_TIMEOUT = 2.0
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The worker's writes drop the cached reads in the worker's own cache: here web and worker keep
    # one each in memory (in production they share Redis), so the web's copies must expire quickly.
    settings.PANEL_SERVICES_CACHE_TTL = 1


@pytest.fixture(scope="module")
def people(private_db, sim) -> dict[str, Any]:
    """A team that requires the second factor; an owner and a viewer, each with an authenticator."""
    found: dict[str, Any] = {}
    # The key the worker has; the password hasher tests/conftest.py signs in with.
    with override_settings(PANEL_ENCRYPTION_KEYS=[KEY], PASSWORD_HASHERS=FAST_HASHER):
        team = TeamFactory(name="Journeys", slug=f"journeys-{uuid.uuid4().hex[:6]}", require_2fa=True)
        store_token(team, sim, "alpha_rw")
        found["team"] = team.name
        for role in (Role.OWNER, Role.VIEWER):
            user = UserFactory(email=f"{role.value}-{uuid.uuid4().hex[:4]}@journeys.example")
            MembershipFactory(team=team, user=user, role=role)
            device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
            found[role.value] = {"email": user.email, "key": bytes(device.bin_key)}
    return found


@pytest.fixture(scope="module")
def server_url(private_db, people) -> Iterator[str]:
    """The panel on its own live-server thread, on the private database."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("localhost", StaticFilesHandler, connections_override={}, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


@pytest.fixture(scope="module")
def browser(server_url, worker, enqueue_to_worker) -> Iterator[Any]:
    with sync_api().sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_page(browser: Any, server_url: str) -> Any:
    context = browser.new_context(base_url=server_url, viewport=DESKTOP)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.console_errors = errors  # type: ignore[attr-defined]
    tab.on("dialog", lambda dialog: dialog.accept())  # hx-confirm asks before a shutdown
    return tab


@pytest.fixture(scope="module")
def owner_page(browser, server_url) -> Iterator[Any]:
    tab = _new_page(browser, server_url)
    yield tab
    tab.context.close()


def _sign_in_with_code(page: Any, email: str, key: bytes) -> None:
    page.goto("/accounts/login/?next=/dashboard/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url("**/accounts/2fa/verify/**")
    page.get_by_label(re.compile("Code")).first.fill(totp_code(key))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/dashboard/")


def _nav(page: Any, area: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=area, exact=True).click()


# -- the owner's journey ------------------------------------------------------------------------
def test_sign_in_with_the_second_factor(people, owner_page) -> None:
    owner = people["owner"]
    _sign_in_with_code(owner_page, owner["email"], owner["key"])
    expect(owner_page.locator("main h1")).to_contain_text("Dashboard")
    assert people["team"] in owner_page.inner_text("header")


def test_add_a_token(people, sim, owner_page) -> None:
    _nav(owner_page, "Tokens")
    owner_page.get_by_text("Add a token").click()
    owner_page.get_by_label("Name").fill("beta production")
    owner_page.get_by_label("Token", exact=True).fill(sim.tokens["beta_rw"])
    owner_page.get_by_role("button", name="Check and save").click()
    owner_page.wait_for_url("**/team/tokens/")
    expect(owner_page.locator("main")).to_contain_text("beta production")
    expect(owner_page.locator("main")).to_contain_text(LABELS["admin@beta.example"])
    assert sim.tokens["beta_rw"] not in owner_page.content()  # never shown again


def test_list_servers_then_start_one_and_shut_it_down(owner_page) -> None:
    _nav(owner_page, "Servers")
    owner_page.wait_for_url("**/servers/")
    rows = owner_page.locator("table.servers tbody tr")
    expect(rows.filter(has_text="beta-web.example")).to_have_count(1)  # the token just added
    owner_page.get_by_role("link", name="web-02.alpha.example").click()
    power = owner_page.locator("#power")
    expect(power).to_contain_text("Stopped")

    power.get_by_role("button", name="Start").click()
    expect(power).to_contain_text("requested")
    expect(power.get_by_role("button", name="Shut down")).to_be_visible(timeout=LONG_MS)  # polled
    expect(power).to_contain_text("Running")

    power.get_by_role("button", name="Shut down").click()  # the confirm dialog is accepted
    expect(power.get_by_role("button", name="Start")).to_be_visible(timeout=LONG_MS)
    expect(power).to_contain_text("Stopped")


def test_reinstall_and_watch_the_progress_to_the_end(owner_page) -> None:
    owner_page.goto(f"/servers/{REINSTALL}/?tab=rebuild")  # reinstalling is on the Rebuild tab
    owner_page.get_by_role("button", name="Reinstall").click()  # a link styled as a button
    owner_page.wait_for_url("**/reinstall/")
    expect(owner_page.locator("main")).to_contain_text("What will happen")
    owner_page.get_by_label("New root password").fill("S3cret-pass-for-journeys")
    expect(owner_page.locator("main form")).to_contain_text("Type “web-01.alpha.example”")
    owner_page.get_by_label("Type the server's hostname to confirm").fill("web-01.alpha.example")
    owner_page.get_by_label(re.compile("Reason")).fill("browser journey")
    owner_page.locator("form.action-form button.danger").click()
    owner_page.wait_for_url(re.compile(r"/operations/\d+/"))
    state = owner_page.locator(".op-progress .op-state")
    expect(state).to_have_text("Succeeded", timeout=LONG_MS)  # htmx polls every 2 s
    expect(owner_page.locator(".op-progress progress")).to_have_attribute("value", "100")
    log = owner_page.locator("#op-log tbody")  # refreshed with each poll, no reload
    expect(log).to_contain_text("Succeeded")  # the line written when the operation ended
    expect(log).to_contain_text("Reason: browser journey")
    assert log.locator("tr").count() > 2


def test_pay_an_order(sim, owner_page) -> None:
    line = {"label": "Renewal of web-01", "service_id": 2865, "service_type": "server", "amount": 12.5}
    with sim.sim.lock:
        now = sim.sim.clock.now()
        order = create_order(
            sim.sim.state, "alpha", kind="renew-service", lines=[line], now=now, auto_pay=False
        )
    _nav(owner_page, "Billing")
    owner_page.locator("#orders").get_by_role("link", name=f"#{order['id']}").click()
    expect(owner_page.locator("main h1")).to_have_text(f"Order #{order['id']}")
    owner_page.get_by_role("button", name="Pay…").click()  # a link styled as a button
    expect(owner_page.locator("main")).to_contain_text("is paid from the account's balance")
    owner_page.get_by_label("Type the order number to confirm").fill(str(order["id"]))
    owner_page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    owner_page.wait_for_url(re.compile(r"/operations/\d+/"))
    expect(owner_page.locator(".op-progress .op-state")).to_have_text("Succeeded", timeout=LONG_MS)

    owner_page.goto(f"/billing/orders/{ALPHA}:{order['id']}/")
    expect(owner_page.locator("dl.facts")).to_contain_text("Paid")
    expect(owner_page.get_by_role("button", name="Pay…")).to_have_count(0)


def test_the_audit_log_shows_what_was_just_done(people, owner_page) -> None:
    _nav(owner_page, "Audit")
    results = owner_page.locator("#audit-results")
    for operation_id in ("servers_start", "servers_stop", "servers_reinstall", "orders_pay"):
        # the action in words ("Stop a server"); its operationId only on the event's own page
        expect(results.locator("tr", has_text=action_words(operation_id)).first).to_be_visible()
    token_rows = results.locator("tr", has_text="beta production")
    expect(token_rows.first).to_be_visible()
    stop = results.locator("tr", has_text=action_words("servers_stop")).first
    expect(stop).to_contain_text("web-02.alpha.example")  # the target by its hostname
    expect(stop).not_to_contain_text(STOP_START)
    expect(stop).to_contain_text("OK")
    expect(stop).to_contain_text(people["owner"]["email"])
    assert not csp_errors(owner_page)


# -- a viewer -----------------------------------------------------------------------------------
def test_a_viewer_sees_no_write_actions(people, browser, server_url) -> None:
    page = _new_page(browser, server_url)
    try:
        viewer = people["viewer"]
        _sign_in_with_code(page, viewer["email"], viewer["key"])
        _nav(page, "Servers")
        expect(page.locator("table.servers tbody tr").first).to_be_visible()
        page.get_by_role("link", name="ubuntu-2gb").click()
        expect(page.locator("#power")).to_contain_text("Running")
        main = page.locator("main")
        for name in ("Restart", "Shut down", "Power off", "Start", "Save", "Add", "Reinstall"):
            expect(main.get_by_role("button", name=name, exact=True)).to_have_count(0)
        expect(main.locator(".action-links a")).to_have_count(0)  # reinstall, rescue, renew, cancel...

        _nav(page, "Billing")
        expect(main.get_by_role("button", name=re.compile("Deposit"))).to_have_count(0)
        page.locator("#orders a").first.click()
        expect(main.get_by_text("Pay…")).to_have_count(0)
        expect(main.get_by_text("Delete…")).to_have_count(0)

        _nav(page, "Tokens")
        expect(main.get_by_text("Add a token")).to_have_count(0)
        _nav(page, "Library")
        expect(main.locator("form[method=post]")).to_have_count(0)
        assert not csp_errors(page)
    finally:
        page.context.close()
