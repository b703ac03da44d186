"""The commands the services run (compose, demo) start for real: gunicorn, a Celery worker, beat.

Each runs as a subprocess on a private SQLite file and broker folder (or on Redis when REDIS_URL
is set), so the suite's own database is never touched.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from celery import Celery

from panel.core.request_id import bind_request_id, clear_request_id

from .helpers import ROOT, production_env, run_manage

pytestmark = [pytest.mark.slow]

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def stack_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of the subprocesses: production settings, a migrated private SQLite database."""
    var = tmp_path_factory.mktemp("var")
    env = production_env(
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{var / 'panel.sqlite3'}",
        PANEL_VAR_DIR=str(var),
        STATIC_ROOT=str(var / "static"),
        LOG_FORMAT="console",
        PYTHONUNBUFFERED="1",
    )
    env.pop("CACHE_URL", None)
    result = run_manage("migrate", "--no-input", env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return env


def db_path(env: dict[str, str]) -> str:
    return env["DATABASE_URL"].removeprefix("sqlite:///")


class Running:
    """A started subprocess whose combined output goes to a file we can poll."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._handle = log.open("wb")
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                pytest.fail(
                    f"process exited ({self.process.returncode}) before {what}:\n{self.output()[-3000:]}"
                )
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}:\n{self.output()[-3000:]}")

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._handle.close()
        return self.process.returncode


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def _start(argv: list[str], env: dict[str, str], name: str) -> Running:
        running = Running(argv, env, tmp_path / f"{name}.log")
        started.append(running)
        return running

    yield _start
    for running in started:
        running.stop()


def compose_command(service: str) -> list[str]:
    """The service's command from docker-compose.yml, run with this interpreter's environment."""
    command = list(COMPOSE["services"][service]["command"])
    return (
        [sys.executable, "-m", command[0], *command[1:]] if command[0] in ("gunicorn", "celery") else command
    )


def with_redis_if_set(env: dict[str, str], redis_available: bool) -> dict[str, str]:
    env = dict(env)
    if not redis_available:
        env.pop("REDIS_URL", None)
    return env


def redis_is_up() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_gunicorn_with_the_compose_command_serves_healthz(stack_env, start, free_port) -> None:
    env = with_redis_if_set(stack_env, redis_is_up())
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(db_path(env)) as db:
        db.execute(
            "INSERT OR REPLACE INTO core_workerheartbeat (hostname, seen_at) VALUES (?, ?)",
            ("celery@fake", now),
        )
    argv = compose_command("web")
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{free_port}"
    argv[argv.index("--workers") + 1] = "1"
    web = start(argv, env, "web")

    def answers() -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{free_port}/healthz/live", timeout=1)
            return True
        except (urllib.error.URLError, OSError):
            return False

    web.wait_for(answers, 60, "gunicorn to answer")
    with urllib.request.urlopen(f"http://127.0.0.1:{free_port}/healthz", timeout=10) as response:
        body = json.loads(response.read())
        assert response.status == 200, body
        assert response.headers["X-Request-ID"]
    assert body["status"] == "ok"
    assert body["checks"]["database"]["vendor"] == "sqlite"
    assert body["checks"]["broker"]["transport"] == ("redis" if "REDIS_URL" in env else "filesystem")
    assert web.stop() == 0  # SIGTERM is a clean, graceful stop


def test_celery_worker_consumes_heartbeats_and_carries_the_request_id(stack_env, start) -> None:
    env = with_redis_if_set(stack_env, redis_is_up())
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "panel",
        "worker",
        "--pool",
        "solo",
        "-Q",
        "default,operations",
        "--hostname",
        "pytest@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
    ]
    worker = start(argv, env, "worker")

    def heartbeat_recorded() -> bool:
        with sqlite3.connect(db_path(env)) as db:
            return (
                db.execute(
                    "SELECT count(*) FROM core_workerheartbeat WHERE hostname LIKE 'pytest@%'"
                ).fetchone()[0]
                > 0
            )

    worker.wait_for(heartbeat_recorded, 60, "the first heartbeat (sent on worker_ready)")

    # Publish like the web process does: the bound request id travels in the message headers.
    publisher = Celery("pytest-publisher", set_as_current=False)
    if "REDIS_URL" in env:
        publisher.conf.broker_url = env["REDIS_URL"]
    else:
        queue = str(Path(env["PANEL_VAR_DIR"]) / "broker" / "queue")
        publisher.conf.broker_url = "filesystem://"
        publisher.conf.broker_transport_options = {
            "data_folder_in": queue,
            "data_folder_out": queue,
            "control_folder": str(Path(env["PANEL_VAR_DIR"]) / "broker" / "control"),
        }
    bind_request_id("req-e2e-7f3a9c")
    try:
        publisher.send_task("panel.core.tasks.heartbeat", queue="default")
    finally:
        clear_request_id()
    worker.wait_for(  # "succeeded" is logged after the task's own lines: wait for both
        lambda: "request_id=req-e2e-7f3a9c" in worker.output() and "succeeded" in worker.output(),
        60,
        "the task to log with the request id and succeed",
    )
    assert worker.stop() == 0


def test_celery_beat_starts_with_the_database_scheduler(stack_env, start, tmp_path) -> None:
    env = with_redis_if_set(stack_env, redis_is_up())
    argv = compose_command("beat")
    argv[argv.index("--pidfile") + 1] = str(tmp_path / "beat.pid")
    beat = start(argv, env, "beat")
    beat.wait_for(lambda: "beat: Starting..." in beat.output(), 120, "beat to start")
    assert "django_celery_beat.schedulers.DatabaseScheduler" in beat.output()

    def schedule_synced() -> bool:
        with sqlite3.connect(db_path(env)) as db:
            names = {row[0] for row in db.execute("SELECT name FROM django_celery_beat_periodictask")}
        return "core-heartbeat" in names

    beat.wait_for(schedule_synced, 90, "the heartbeat schedule in the database")
    assert beat.stop() == 0
