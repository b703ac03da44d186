"""Beat runs the operations dispatcher, as the demo runs it: one worker (two threads, both queues)
on the filesystem broker, and `celery beat` with the database scheduler, all started here.

No test here runs the dispatcher itself: what sends the next task, sweeps a dead worker's
operations and polls VPSBG is the beat process. The promises under test:
- a worker killed (SIGKILL) while it drives an operation: the operation's page says that no
  worker has moved it, and a new worker (another name) started later finishes it by itself,
  within a minute of starting, with the reinstall made once;
- the demo's worker does not starve: while two operations back off through VPSBG's 503s, its
  heartbeat keeps coming (`/healthz` stays green) and a payment started meanwhile succeeds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from cryptography.fernet import Fernet
from django.db import transaction
from django.db.models import Max

from panel.accounts.models import Membership
from panel.accounts.roles import Role
from panel.core.models import WorkerHeartbeat
from panel.operations import services, tasks
from panel.operations.models import Operation, State
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from tests.factories import MembershipFactory, TeamFactory
from tests.fixtures_accounts import sign_in
from tests.private_db import private_database
from vpsbg_api.simulator.clock import Clock
from vpsbg_api.simulator.context import HANDLERS
from vpsbg_api.simulator.domain import create_order
from vpsbg_api.simulator.testing import RunningSimulator, running_simulator

pytestmark = [pytest.mark.slow, pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[2]
ALPHA = "ops@alpha.example"
KEY = Fernet.generate_key().decode()
KEEPALIVE = 1.0  # OPERATIONS_KEEPALIVE_SECONDS of the processes started here
API_TIMEOUT = 3.0  # VPSBG_API_TIMEOUT: a dead worker's lease is given up after it + 15 s
STUCK_AFTER = max(4 * KEEPALIVE, API_TIMEOUT + 15)  # as settings derive it
TIMEOUT = 90.0  # for anything a loaded machine may make slow; never what a test asserts


@pytest.fixture(autouse=True)
def same_settings(settings) -> None:
    """This process renders the pages: it judges a silent worker as the started processes do."""
    settings.PANEL_ENCRYPTION_KEYS = [KEY]
    settings.OPERATIONS_STUCK_AFTER = STUCK_AFTER


@pytest.fixture(scope="module")
def private_db(django_db_blocker, tmp_path_factory) -> Iterator[str]:
    with private_database(django_db_blocker, tmp_path_factory.mktemp("beatdb"), "ops_beat") as url:
        yield url


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(clock=Clock(), action_seconds=2.0, power_seconds=0.5) as running:
        yield running


@pytest.fixture(scope="module")
def owner(private_db, sim) -> Membership:
    from django.conf import settings

    settings.PANEL_ENCRYPTION_KEYS = [KEY]
    team = TeamFactory(name="Beat", slug=f"beat-{uuid.uuid4().hex[:6]}")
    token = ApiToken(
        team=team, name="alpha rw", scope=TokenScope.READ_WRITE, account_id=ALPHA, account_label=ALPHA,
        status=TokenStatus.OK,
    )  # fmt: skip
    token.set_secret(sim.tokens["alpha_rw"])
    token.save()
    return MembershipFactory(team=team, role=Role.OWNER)


@pytest.fixture(scope="module")
def env(private_db, sim, tmp_path_factory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("beatvar")
    values = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_SETTINGS"))}
    values.pop("REDIS_URL", None)  # the demo's filesystem broker, under PANEL_VAR_DIR
    values.update(
        DJANGO_SETTINGS_MODULE="panel.settings",
        DATABASE_URL=private_db,
        CELERY_BROKER_URL="filesystem://localhost/",
        CELERY_BROKER_DIR=str(var / "broker"),
        CELERY_RESULT_BACKEND="",
        CACHE_URL="locmemcache://",
        PANEL_ENCRYPTION_KEYS=KEY,
        PANEL_VAR_DIR=str(var),
        VPSBG_API_URL=sim.base_url,
        VPSBG_API_TIMEOUT=str(API_TIMEOUT),
        OPERATIONS_POLL_SECONDS="0.5",
        OPERATIONS_RETRY_BASE="1",
        OPERATIONS_KEEPALIVE_SECONDS=str(KEEPALIVE),
        HEARTBEAT_INTERVAL="1",
        LOG_FORMAT="console",
        PYTHONUNBUFFERED="1",
    )
    return values


class Process:
    """A started `celery` command (its own session, so a kill reaches its threads), output in a file."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "panel", *argv],
            cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._out.close()


def demo_worker(env: dict[str, str], folder: Path, name: str) -> Process:
    """The demo's worker command (`panel/core/demo.py`), with a name of its own."""
    worker = Process(
        ["worker", "--pool", "threads", "--concurrency", "2", "-Q", "default,operations", "--loglevel",
         "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"{name}@%h"],
        env, folder / f"{name}.log",
    )  # fmt: skip
    wait_for(lambda: "ready." in worker.output() or worker.process.poll() is not None, f"{name} to start")
    assert worker.process.poll() is None, worker.output()[-3000:]
    return worker


@pytest.fixture(scope="module")
def beat(env, tmp_path_factory) -> Iterator[Process]:
    folder = tmp_path_factory.mktemp("beat")
    running = Process(
        ["beat", "--loglevel", "INFO", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
         "--pidfile", str(folder / "beat.pid")],
        env, folder / "beat.log",
    )  # fmt: skip
    wait_for(lambda: "operations.dispatcher_started" in running.output(), "beat's dispatcher", running)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def publisher(env) -> Iterator[Celery]:
    """Sends to the filesystem broker the processes read (this process's own app may use another)."""
    app = Celery("beat-test-publisher", set_as_current=False)
    queue = str(Path(env["CELERY_BROKER_DIR"]) / "queue")
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": queue, "data_folder_out": queue,
        "control_folder": str(Path(env["CELERY_BROKER_DIR"]) / "control"),
    }  # fmt: skip
    yield app
    app.close()


@pytest.fixture(autouse=True)
def send_through_the_demo_broker(monkeypatch, publisher) -> None:
    def apply_async(args: Any = None, task_id: str | None = None, **_: Any) -> None:
        publisher.send_task(tasks.run_operation.name, args=args, task_id=task_id, queue="operations")

    monkeypatch.setattr(tasks.run_operation, "apply_async", apply_async)


def wait_for(
    predicate: Callable[[], bool], what: str, process: Process | None = None, timeout: float = TIMEOUT
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}" + (f":\n{process.output()[-3000:]}" if process else ""))


def start(owner: Membership, kind: str, **params: Any) -> Operation:
    with transaction.atomic():
        return services.start(actor=owner, kind=kind, params=params)


def test_a_killed_worker_is_shown_then_a_new_worker_finishes_its_operation(
    beat, env, owner, sim, tmp_path, monkeypatch
) -> None:
    first = demo_worker(env, tmp_path, f"first-{uuid.uuid4().hex[:6]}")
    arrived, killed = threading.Event(), threading.Event()
    read = HANDLERS["servers_get"]

    def held(ctx: Any) -> Any:  # VPSBG answers the check only once the worker that asked is dead
        arrived.set()
        killed.wait(TIMEOUT)
        return read(ctx)

    monkeypatch.setitem(HANDLERS, "servers_get", held)
    before = sim.sim.calls["servers_reinstall"]
    op = start(owner, "reinstall", server=f"{ALPHA}:2865", image_id=74)
    try:
        assert arrived.wait(TIMEOUT), first.output()[-3000:]
        op.refresh_from_db()
        assert op.lease and op.worker.startswith("first-")  # the first worker holds it
        first.kill()
    finally:
        killed.set()
        first.stop()
    monkeypatch.setitem(HANDLERS, "servers_get", read)

    browser = sign_in(owner.user, team=owner.team, verified=owner.team.require_2fa)

    def page() -> str:
        return browser.get(op.get_absolute_url()).content.decode()

    wait_for(lambda: "No word from its worker" in page(), "the page to say the worker is gone", beat)
    assert "check the operations workers" in page()
    op.refresh_from_db()
    assert op.is_active and op.attempts == 1

    second = demo_worker(env, tmp_path, f"second-{uuid.uuid4().hex[:6]}")
    try:  # nobody here dispatches: beat's sweep already sent it, and the new worker takes it
        wait_for(lambda: Operation.objects.get(pk=op.pk).is_ended, "the new worker to finish it", second, 60)
    finally:
        second.stop()
    op.refresh_from_db()
    assert op.state == State.SUCCEEDED, f"{op.error}\n{beat.output()[-3000:]}"
    assert op.attempts == 2  # the first delivery, and the resumed one
    assert op.log.filter(message__contains="Resumed by a new worker").exists()
    assert sim.sim.calls["servers_reinstall"] == before + 1
    assert "No word from its worker" not in page()


def _awaiting_order(sim: RunningSimulator) -> int:
    line = {"label": "Renewal", "service_id": 2866, "service_type": "server", "amount": 10.0}
    with sim.sim.lock:
        state, now = sim.sim.state, sim.sim.clock.now()
        order = create_order(state, "alpha", kind="renew-service", lines=[line], now=now, auto_pay=False)
    return order["id"]


def test_the_demo_worker_keeps_its_heartbeat_and_beat_keeps_dispatching_through_503s(
    beat, env, owner, sim, tmp_path
) -> None:
    worker = demo_worker(env, tmp_path, f"demo-{uuid.uuid4().hex[:6]}")
    sim.sim.faults.add(operation="servers_get", status=503)  # every read of one server fails
    stuck: list[Operation] = []
    try:
        stuck += [start(owner, "rescue_on", server=f"{ALPHA}:{sid}") for sid in (2864, 2866)]
        ids = [op.pk for op in stuck]
        backing_off = Operation.objects.filter(pk__in=ids, data__retries__gte=2)
        wait_for(lambda: backing_off.count() == 2, "both operations to back off twice", worker)

        def newest() -> Any:
            rows = WorkerHeartbeat.objects.filter(hostname__startswith="demo-")
            return rows.aggregate(newest=Max("seen_at"))["newest"]

        wait_for(lambda: newest() is not None, "the demo worker's first heartbeat", worker)
        first_beat = newest()
        wait_for(lambda: newest() > first_beat, "the next heartbeat while they back off", worker)
        order = _awaiting_order(sim)
        payment = start(owner, "pay_orders", orders=[f"{ALPHA}:{order}"])
        wait_for(lambda: Operation.objects.get(pk=payment.pk).is_ended, "the payment", worker)
        payment.refresh_from_db()
        assert payment.state == State.SUCCEEDED, payment.error
        assert all(op.is_active for op in Operation.objects.filter(pk__in=ids))  # still backing off
        assert newest() > first_beat
    finally:
        sim.sim.faults.clear()
        for op in stuck:
            wait_for(lambda op=op: Operation.objects.get(pk=op.pk).is_ended, f"operation {op.pk} to end")
        worker.stop()
    assert all(op.state == State.SUCCEEDED for op in Operation.objects.filter(pk__in=ids))
