"""Long operations through a real Celery worker process on Redis, against the simulator over HTTP.

The worker is a subprocess (`celery -A panel worker`) on a Redis database of its own (emptied
first; `tests.private_db.private_redis_url`) and a private database (an SQLite file, or a fresh
PostgreSQL database when the suite runs on PostgreSQL), which this module's connection is
switched to for its duration. The simulator runs in this process on loopback with a real clock
and 1-second actions, so the worker waits for VPSBG for real.

An operation that waits for VPSBG parks and its task returns; this module plays beat: while it
waits for an operation to end it runs the dispatcher (`dispatch.dispatch`), which sends the next
task when the parked operation is due.

Killing a worker (SIGKILL): the message stays unacknowledged in Redis (late acks); Redis would
redeliver it only after the visibility timeout (hours in production). What these tests exercise
is the panel's own mechanism: the sweep (run by the dispatcher) sees no heartbeat and makes the
operation due again; a new worker resumes at the step where the dead one stopped.
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

from panel.accounts.models import Membership
from panel.accounts.roles import Role
from panel.operations import dispatch, services, tasks
from panel.operations.models import Operation, PaymentAttempt, State
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from tests.factories import MembershipFactory, TeamFactory
from tests.private_db import private_database, private_redis_url
from vpsbg_api.simulator.clock import Clock
from vpsbg_api.simulator.context import HANDLERS
from vpsbg_api.simulator.domain import create_order
from vpsbg_api.simulator.testing import RunningSimulator, running_simulator

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ALPHA = "ops@alpha.example"
KEY = Fernet.generate_key().decode()
TIMEOUT = 40.0


def _redis_url() -> str:
    return private_redis_url(13)  # a database of our own


@pytest.fixture(autouse=True)
def fresh_keys(settings) -> None:
    """One key for the whole module: the worker decrypts what this process stored."""
    settings.PANEL_ENCRYPTION_KEYS = [KEY]


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    url = _redis_url()
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


@pytest.fixture(scope="module")
def private_db(django_db_blocker, tmp_path_factory, broker) -> Iterator[str]:
    """Point this process's connection at a database the worker can open too; migrate it."""
    with private_database(django_db_blocker, tmp_path_factory.mktemp("opsdb"), "ops_worker") as url:
        yield url


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(clock=Clock(), action_seconds=1.0, power_seconds=0.5) as running:
        yield running


@pytest.fixture(scope="module")
def owner(private_db, sim) -> Membership:
    from django.conf import settings

    settings.PANEL_ENCRYPTION_KEYS = [KEY]
    team = TeamFactory(name="Workers", slug=f"workers-{uuid.uuid4().hex[:6]}")
    token = ApiToken(
        team=team,
        name="alpha rw",
        scope=TokenScope.READ_WRITE,
        account_id=ALPHA,
        account_label=ALPHA,
        status=TokenStatus.OK,
    )
    token.set_secret(sim.tokens["alpha_rw"])
    token.save()
    return MembershipFactory(team=team, role=Role.OWNER)


class Worker:
    def __init__(self, env: dict[str, str], queues: str, log: Path, pool: str = "prefork") -> None:
        self.log = log
        self._out = log.open("wb")
        argv = [
            sys.executable, "-m", "celery", "-A", "panel", "worker", "-Q", queues, "-c", "2",
            "-P", pool, "-l", "INFO", "--without-heartbeat", "--without-mingle", "--without-gossip",
            "-n", f"ops-{uuid.uuid4().hex[:6]}@%h",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "ready." in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                pytest.fail(f"worker exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        pytest.fail(f"worker not ready:\n{self.log.read_text(errors='replace')[-3000:]}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._out.close()


class Beat(Worker):
    """`celery beat` with a file schedule: sends the dispatcher every poll interval, as in production."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.log = folder / "beat.log"
        self._out = self.log.open("wb")
        argv = [
            sys.executable, "-m", "celery", "-A", "panel", "beat", "-l", "INFO",
            "-S", "celery.beat:PersistentScheduler", "-s", str(folder / "schedule"),
            "--pidfile", str(folder / "beat.pid"),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )


@pytest.fixture(scope="module")
def worker_env(private_db, broker, sim, tmp_path_factory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("workervar")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_SETTINGS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="panel.settings",
        DATABASE_URL=private_db,
        REDIS_URL=broker,
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND="",
        CACHE_URL="locmemcache://",
        PANEL_ENCRYPTION_KEYS=KEY,
        PANEL_VAR_DIR=str(var),
        VPSBG_API_URL=sim.base_url,
        VPSBG_API_TIMEOUT="5",  # loopback answers in milliseconds; a loaded machine may take seconds
        OPERATIONS_POLL_SECONDS="0.2",
        OPERATIONS_RETRY_BASE="0.2",
        OPERATIONS_MAX_RETRIES="4",
        OPERATIONS_LEASE_SECONDS="3",
        LOG_FORMAT="console",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="module")
def worker(worker_env, tmp_path_factory) -> Iterator[Worker]:
    running = Worker(worker_env, "operations,default", tmp_path_factory.mktemp("logs") / "worker.log")
    running.wait_ready()
    yield running
    running.stop()


SEND: dict[str, Any] = {"queue": "operations", "sent": 0}


@pytest.fixture(scope="module")
def sender(broker) -> Iterator[Celery]:
    app = Celery("ops-test-sender", broker=broker, set_as_current=False)  # the panel stays current
    yield app
    app.close()


@pytest.fixture(autouse=True)
def send_through_test_broker(monkeypatch, sender) -> None:
    """Enqueue on the module's Redis database (this process's own app may use another broker)."""
    SEND["queue"] = "operations"
    SEND["sent"] = 0

    def apply_async(args: Any = None, task_id: str | None = None, **_: Any) -> None:
        SEND["sent"] += 1
        sender.send_task(tasks.run_operation.name, args=args, task_id=task_id, queue=SEND["queue"])

    monkeypatch.setattr(tasks.run_operation, "apply_async", apply_async)


def start(owner: Membership, kind: str, **params: Any) -> Operation:
    with transaction.atomic():
        return services.start(actor=owner, kind=kind, params=params)


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def ended(op: Operation, timeout: float = TIMEOUT) -> Operation:
    def done() -> bool:
        op.refresh_from_db()
        if op.is_active:
            dispatch.dispatch()  # as beat would, every poll interval
        return op.is_ended

    wait_for(done, f"operation {op.pk} ({op.kind}) to end; last step: {op.step}", timeout)
    return op


def awaiting_order(sim: RunningSimulator) -> int:
    """A fresh order awaiting payment at the simulator (a renewal of server 2866)."""
    line = {"label": "Renewal", "service_id": 2866, "service_type": "server", "amount": 10.0}
    with sim.sim.lock:
        order = create_order(
            sim.sim.state,
            "alpha",
            kind="renew-service",
            lines=[line],
            now=sim.sim.clock.now(),
            auto_pay=False,
        )
    return order["id"]


E2E: list[tuple[str, dict[str, Any], str]] = [
    (
        "reinstall",
        {"server": f"{ALPHA}:2864", "image_id": 80, "password": "S3cret-pass!"},
        "servers_reinstall",
    ),
    ("restore", {"server": f"{ALPHA}:2864", "snapshot_id": 116}, "servers_restore"),
    ("snapshot_create", {"server": f"{ALPHA}:2864", "name": "before-upgrade"}, "servers_snapshots_create"),
    ("snapshot_delete", {"snapshot": f"{ALPHA}:116"}, "snapshots_delete"),
    ("backup_delete", {"backup": f"{ALPHA}:77"}, "backups_delete"),
    ("rescue_on", {"server": f"{ALPHA}:2864"}, "servers_rescue_enable"),
    ("rescue_off", {"server": f"{ALPHA}:2864"}, "servers_rescue_disable"),
    ("password", {"server": f"{ALPHA}:2864", "password": "An0ther-pass"}, "servers_change_password"),
    ("scale", {"server": f"{ALPHA}:2864", "plan": "cloud-vps-4gb"}, "servers_scale"),
    ("scale_addons", {"server": f"{ALPHA}:2864", "microsoft_rds_sal": 1}, "servers_addons_scale"),
    ("renew", {"servers": [f"{ALPHA}:2864"], "billing_cycle": 1}, "servers_renew"),
    ("floating_ip_purchase", {"ipv4": 1}, "floating_ips_purchase"),
    ("floating_ip_attach", {"server": f"{ALPHA}:2864", "ids": [602]}, "floating_ips_attach"),
    ("primary_ip", {"server": f"{ALPHA}:2864", "ip_id": "FLOATING_602"}, "servers_change_primary_ip"),
    ("floating_ip_detach", {"ids": [608]}, "floating_ips_detach"),
    ("pay_orders", {"orders": [f"{ALPHA}:7814"]}, "orders_pay"),
    (
        "deploy",
        {"name": "web-new-1", "plan": "cloud-vps-1gb", "billing_cycle": 1, "image_id": 80},
        "servers_deploy",
    ),
]


@pytest.mark.parametrize(("kind", "params", "upstream"), E2E, ids=[e[0] for e in E2E])
def test_every_long_action_end_to_end(worker, owner, sim, kind, params, upstream) -> None:
    if params.get("ip_id") == "FLOATING_602":
        params = {**params, "ip_id": sim.sim.state.data["floating_ips"]["602"]["ip_id"]}
    before = sim.sim.calls[upstream]
    op = ended(start(owner, kind, **params))
    assert op.state == State.SUCCEEDED, f"{op.error}\n{worker.log.read_text()[-2000:]}"
    assert op.progress == 100 and op.attempts == 1
    assert sim.sim.calls[upstream] == before + 1
    assert op.secret == ""


def test_sigkill_mid_reinstall_is_finished_by_a_new_worker(worker, worker_env, owner, sim, tmp_path) -> None:
    doomed = Worker(worker_env, "operations-doomed", tmp_path / "doomed.log")
    doomed.wait_ready()
    SEND["queue"] = "operations-doomed"  # only the doomed worker takes the first delivery
    before = sim.sim.calls["servers_reinstall"]
    op = start(owner, "reinstall", server=f"{ALPHA}:2865", image_id=74)
    try:
        parked = Operation.objects.filter(pk=op.pk, data__step_index=2, lease="")
        wait_for(lambda: parked.exists(), "the wait step to park")
        sim.sim.faults.add(operation="servers_get", latency=3.0, count=1)  # the next read hangs...
        held = Operation.objects.filter(pk=op.pk).exclude(lease="")  # ...in the doomed worker, holding it
        wait_for(lambda: dispatch.dispatch() is None or held.exists(), "the next poll")
        doomed.kill()
    finally:
        doomed.stop()
    op.refresh_from_db()
    assert op.is_active
    SEND["queue"] = "operations"
    assert dispatch.dispatch(stuck_after=0)["resumed"] == 1
    op = ended(op)
    assert op.state == State.SUCCEEDED, op.error
    assert op.attempts == 2
    assert sim.sim.calls["servers_reinstall"] == before + 1


def test_sigkill_mid_payment_pays_once(worker, worker_env, owner, sim, tmp_path, monkeypatch) -> None:
    order_id = awaiting_order(sim)
    doomed = Worker(worker_env, "operations-doomed", tmp_path / "doomed.log")
    doomed.wait_ready()
    SEND["queue"] = "operations-doomed"
    arrived, killed = threading.Event(), threading.Event()
    pay = HANDLERS["orders_pay"]

    def held(ctx: Any) -> Any:  # VPSBG holds the payment until the worker that sent it is dead
        arrived.set()
        killed.wait(TIMEOUT)
        return pay(ctx)

    monkeypatch.setitem(HANDLERS, "orders_pay", held)
    before = sim.sim.calls["orders_pay"]
    op = start(owner, "pay_orders", orders=[f"{ALPHA}:{order_id}"])
    try:
        assert arrived.wait(TIMEOUT), "the payment never reached VPSBG"
        doomed.kill()
    finally:
        killed.set()
        doomed.stop()
    assert PaymentAttempt.objects.filter(order_id=order_id).exists()
    SEND["queue"] = "operations"
    wait_for(lambda: sim.sim.calls["orders_pay"] == before + 1, "VPSBG to finish the payment")
    assert dispatch.dispatch(stuck_after=0)["resumed"] == 1
    op = ended(op)
    assert op.state == State.SUCCEEDED, op.error
    assert sim.sim.calls["orders_pay"] == before + 1
    assert sim.sim.state.data["orders"][str(order_id)]["status"] == "paid"


def test_two_concurrent_payments_of_one_order_pay_once(worker, owner, sim) -> None:
    order_id = awaiting_order(sim)
    sim.sim.faults.add(operation="orders_pay", latency=0.5, count=2)
    before = sim.sim.calls["orders_pay"]
    ops = []
    for _ in range(2):  # straight into the database: past the per-order lock, as two racing requests
        op = Operation.objects.create(
            kind="pay_orders",
            team=owner.team,
            actor=owner.user,
            account_id=ALPHA,
            target_type="order",
            target_id=f"{ALPHA}:{order_id}",
            params={"orders": [f"{ALPHA}:{order_id}"]},
        )
        ops.append(op)
    for op in ops:  # back to back: the worker runs both at once (concurrency 2)
        services.enqueue(op)
    results = [ended(op) for op in ops]
    assert sim.sim.calls["orders_pay"] == before + 1
    assert PaymentAttempt.objects.filter(order_id=order_id).count() == 1
    assert all(op.state in (State.SUCCEEDED, State.FAILED) for op in results)
    assert any(op.state == State.SUCCEEDED for op in results)


def test_service_refuses_a_second_payment_request_for_the_same_order(owner, sim) -> None:
    order_id = awaiting_order(sim)
    first = start(owner, "pay_orders", orders=[f"{ALPHA}:{order_id}"])
    with pytest.raises(Exception, match=rf"\(operation {first.pk}\) is running"):
        start(owner, "pay_orders", orders=[f"{ALPHA}:{order_id}"])
    Operation.objects.filter(pk=first.pk).update(state=State.CANCELLED)
    first.locks.all().delete()


def test_task_enqueued_in_a_rolled_back_transaction_never_runs(worker, owner, sim) -> None:
    before = Operation.objects.count()
    calls = sim.sim.calls["servers_reinstall"]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.start(actor=owner, kind="reinstall", params={"server": f"{ALPHA}:2866", "image_id": 74})
        raise RuntimeError("the request failed after starting the operation")
    assert SEND["sent"] == 0  # nothing was enqueued, so no worker can ever run it
    assert Operation.objects.count() == before
    assert sim.sim.calls["servers_reinstall"] == calls


def test_upstream_faults_are_retried_and_the_operation_succeeds(worker, owner, sim) -> None:
    sim.sim.faults.add(operation="servers_get", status=503, count=3)  # a 5xx burst
    sim.sim.faults.add(operation="servers_rescue_enable", status=429, count=1)  # Retry-After: 1
    sim.sim.faults.add(operation="servers_status", timeout=True, count=1)  # a hang past the timeout
    before = sim.sim.calls["servers_rescue_enable"]
    op = ended(start(owner, "rescue_on", server=f"{ALPHA}:2866"))
    assert op.state == State.SUCCEEDED, op.error
    assert sim.sim.calls["servers_rescue_enable"] == before + 1
    assert op.log.filter(message__contains="Retrying").exists()


def test_persistent_upstream_failure_fails_with_a_clear_message(worker, owner, sim) -> None:
    sim.sim.faults.add(operation="servers_get", status=502)
    try:
        op = ended(start(owner, "rescue_off", server=f"{ALPHA}:2866"))
    finally:
        sim.sim.faults.clear()
    assert op.state == State.FAILED
    assert "gave up after" in op.error and "VPSBG unavailable" in op.error


class OwnRedis:
    """A redis-server of this test's own (TCP on a free port and a unix socket), to stop and start
    again; the shared Redis is never touched."""

    def __init__(self, folder: Path) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = folder
        self.socket = folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, scheme: str) -> str:
        return f"redis+socket://{self.socket}" if scheme == "socket" else f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        argv = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--unixsocket", str(self.socket),
            "--save", "", "--appendonly", "no", "--dir", str(self.folder),
        ]  # fmt: skip
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(answers, "our redis-server to answer", 20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@pytest.fixture
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode:
        pytest.skip("needs redis-server")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("scheme", ["tcp", "socket"])
def test_a_worker_reconnects_when_redis_stops_and_starts_mid_operation(
    worker_env, owner, sim, own_redis, tmp_path, monkeypatch, scheme
) -> None:
    url = own_redis.url(scheme)
    env = {**worker_env, "CELERY_BROKER_URL": url, "REDIS_URL": url}
    own = Celery("ops-test-own-redis", broker=url, set_as_current=False)

    def apply_async(args: Any = None, task_id: str | None = None, **_: Any) -> None:
        own.send_task(tasks.run_operation.name, args=args, task_id=task_id, queue="operations")

    monkeypatch.setattr(tasks.run_operation, "apply_async", apply_async)
    demo = Worker(env, "default,operations", tmp_path / "worker.log", pool="threads")  # as the demo's
    demo.wait_ready()
    try:
        op = start(owner, "reinstall", server=f"{ALPHA}:2864", image_id=74)
        parked = Operation.objects.filter(pk=op.pk, data__step_index=2, lease="")
        wait_for(lambda: dispatch.dispatch() is None or parked.exists(), "the reinstall to be asked for")
        sim.sim.faults.add(operation="servers_get", latency=3.0, count=1)  # the next poll hangs...
        held = Operation.objects.filter(pk=op.pk).exclude(lease="")  # ...unacknowledged meanwhile
        wait_for(lambda: dispatch.dispatch() is None or held.exists(), "the next poll")
        own_redis.stop()
        log = demo.log
        wait_for(lambda: "Trying to re-establish" in log.read_text(errors="replace"), "the worker to notice")
        assert dispatch.dispatch().get("unsent") in (None, 1)  # the broker is down: kept due, not lost
        own_redis.start()
        op = ended(op, timeout=90)
        assert op.state == State.SUCCEEDED, op.error
        after = ended(start(owner, "password", server=f"{ALPHA}:2866", password="An0ther-pass"), timeout=90)
        assert after.state == State.SUCCEEDED, after.error
        text = log.read_text(errors="replace")
        assert demo.process.poll() is None and "Unrecoverable error" not in text, text[-3000:]
        assert "Warm shutdown" not in text
    finally:
        demo.stop()
        own.close()


def test_operations_backing_off_do_not_starve_the_demo_worker(worker_env, owner, sim, tmp_path) -> None:
    """The demo runs one worker with two threads for both queues: two operations backing off
    through 503s must leave room for a payment (they used to sleep on both threads)."""
    env = {**worker_env, "OPERATIONS_RETRY_BASE": "2", "OPERATIONS_MAX_RETRIES": "6"}
    demo = Worker(env, "default,operations-demo", tmp_path / "demo.log", pool="threads")
    demo.wait_ready()
    SEND["queue"] = "operations-demo"  # only this worker takes them
    sim.sim.faults.add(operation="servers_get", status=503)
    stuck: list[Operation] = []
    try:
        stuck += [start(owner, "rescue_on", server=f"{ALPHA}:{sid}") for sid in (2864, 2865)]
        backing_off = Operation.objects.filter(pk__in=[op.pk for op in stuck], data__retries__gte=1)
        wait_for(lambda: dispatch.dispatch() is None or backing_off.count() == 2, "both to back off")
        payment = ended(start(owner, "pay_orders", orders=[f"{ALPHA}:{awaiting_order(sim)}"]))
        assert payment.state == State.SUCCEEDED, payment.error
        assert all(op.is_active for op in Operation.objects.filter(pk__in=[op.pk for op in stuck]))
    finally:
        sim.sim.faults.clear()
        for op in stuck:
            ended(op, timeout=90)
        demo.stop()
