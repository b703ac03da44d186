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
from contextlib import closing
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

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
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


def publisher_for(env: dict[str, str]) -> Celery:
    """A Celery app that sends to the broker of `env` (Redis, or its filesystem folders)."""
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
    return publisher


def redis_is_up() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _serve(start, env: dict[str, str], port: int, name: str, *extra: str) -> Running:
    argv = compose_command("web") + list(extra)
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    argv[argv.index("--workers") + 1] = "1"
    web = start(argv, env, name)

    def answers() -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/live", timeout=1)
            return True
        except (urllib.error.URLError, OSError):
            return False

    web.wait_for(answers, 60, "gunicorn to answer")
    return web


def test_gunicorn_with_the_compose_command_serves_healthz(stack_env, start, free_port) -> None:
    env = with_redis_if_set(stack_env, redis_is_up())
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(db_path(env)) as db:
        db.execute(
            "INSERT OR REPLACE INTO core_workerheartbeat (hostname, seen_at) VALUES (?, ?)",
            ("celery@fake", now),
        )
    web = _serve(start, env, free_port, "web")
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
    publisher = publisher_for(env)
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
    """Beat starts with the database scheduler, writes the whole schedule of the settings there,
    starts the operations dispatcher, and stops cleanly (exit 0) on SIGTERM.

    SIGTERM is sent only once beat is in its loop (the dispatcher starts after the scheduler is
    set up): under heavy load "beat: Starting..." comes long before the schedule is written, and a
    signal then finds beat half set up. Beat's output is printed when it fails to stop.
    """
    from django.conf import settings

    env = with_redis_if_set(stack_env, redis_is_up())
    argv = compose_command("beat")
    argv[argv.index("--pidfile") + 1] = str(tmp_path / "beat.pid")
    beat = start(argv, env, "beat")
    beat.wait_for(lambda: "beat: Starting..." in beat.output(), 120, "beat to start")
    assert "django_celery_beat.schedulers.DatabaseScheduler" in beat.output()

    def schedule_synced() -> bool:
        try:
            with closing(sqlite3.connect(db_path(env), timeout=1)) as db:
                names = {row[0] for row in db.execute("SELECT name FROM django_celery_beat_periodictask")}
        except sqlite3.OperationalError:  # beat is writing it
            return False
        return set(settings.CELERY_BEAT_SCHEDULE) <= names

    beat.wait_for(schedule_synced, 120, "the whole schedule in the database")
    dispatcher = "operations.dispatcher_started"
    beat.wait_for(lambda: dispatcher in beat.output(), 120, "beat to start the operations dispatcher")
    code = beat.stop(timeout=120)
    assert code == 0, f"beat did not stop cleanly on SIGTERM (exit {code}):\n{beat.output()[-5000:]}"


def _get(url: str, headers: dict[str, str] | None = None) -> int:
    """The status of a GET, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorn_access_log_masks_invitation_and_reset_tokens(stack_env, start, free_port, tmp_path) -> None:
    env = with_redis_if_set(stack_env, redis_is_up())
    access_log = tmp_path / "access.log"
    web = _serve(start, env, free_port, "web-access", "--access-logfile", str(access_log))
    invitation, reset = "Inv-t0ken-8fQ2wLx9ZpR4vNb7", "c4x9z2-1f0e5d3b7a9c8e6f4d2b"
    _get(
        f"http://127.0.0.1:{free_port}/invitations/{invitation}/",
        {"Referer": f"https://panel.example.com/accounts/password/reset/MQ/{reset}/"},
    )
    web.wait_for(lambda: "/invitations/" in access_log.read_text(), 30, "the access log line")
    written = access_log.read_text() + web.output()
    assert invitation not in written and reset not in written
    assert "GET /invitations/[redacted]/" in written


def test_x_forwarded_proto_is_believed_only_behind_a_proxy(stack_env, start, free_port) -> None:
    """Production redirects plain HTTP to HTTPS; a client's own X-Forwarded-Proto must not skip that."""
    env = with_redis_if_set(stack_env, redis_is_up())
    _serve(start, env, free_port, "web-direct")
    api = f"http://127.0.0.1:{free_port}/api/v1/me"
    assert _get(api, {"X-Forwarded-Proto": "https"}) == 301
    assert _get(api) == 301


def test_x_forwarded_proto_is_believed_when_a_proxy_is_declared(stack_env, start, free_port) -> None:
    env = with_redis_if_set({**stack_env, "BEHIND_PROXY": "1"}, redis_is_up())
    _serve(start, env, free_port, "web-proxied")
    api = f"http://127.0.0.1:{free_port}/api/v1/me"
    assert _get(api, {"X-Forwarded-Proto": "https"}) == 401  # reached the API: no redirect
    assert _get(api) == 301
