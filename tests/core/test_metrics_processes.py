"""Multiprocess metrics for real: gunicorn workers and a Celery worker write to one folder, and
one scrape of the web shows the sum; `clear_metrics` empties the folder first.
"""
# The process tests' fixtures are imported by name so pytest finds them here; ruff sees the test
# arguments that use them as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from .helpers import run_manage
from .test_metrics import parse, value
from .test_processes import compose_command, db_path, publisher_for, stack_env, start  # noqa: F401

pytestmark = [pytest.mark.slow]

TOKEN = "process-test-metrics-token-0042"


def _get(url: str, token: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError):
        return 0, ""  # not listening yet


def start_web(start, env: dict[str, str], port: int, *, workers: int):
    """gunicorn with the compose command on `port`; returns it and its base URL once it answers."""
    argv = compose_command("web")
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    argv[argv.index("--workers") + 1] = str(workers)
    web = start(argv, env, "web")
    base = f"http://127.0.0.1:{port}"
    web.wait_for(lambda: _get(base + "/healthz/live")[0] == 200, 60, "gunicorn to answer")
    return web, base


def test_web_and_worker_counters_meet_in_one_scrape(stack_env, start, free_port, tmp_path) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_oldhost_1.db").write_bytes(b"left over from the last run")
    env = {**stack_env, "PROMETHEUS_MULTIPROC_DIR": str(folder), "METRICS_TOKEN": TOKEN}
    env.pop("REDIS_URL", None)  # the private SQLite database and broker folder of stack_env

    cleared = run_manage("clear_metrics", env=env)
    assert cleared.returncode == 0, cleared.stderr
    assert "Removed 1 metric file(s)" in cleared.stdout and not list(folder.iterdir())

    # A "worker": another process of the panel that records a token check.
    program = "from panel.core import metrics; metrics.token_checked('revoked')"
    subprocess.run([sys.executable, "-c", program], env=env, check=True, timeout=60)

    web, base = start_web(start, env, free_port, workers=2)

    refused = [_get(base + "/metrics")[0] for _ in range(6)]
    assert refused == [401] * 6  # never public, even on plain HTTP in production mode
    status, text = _get(base + "/metrics", TOKEN)
    assert status == 200
    samples = parse(text)
    refusals = {"view": "metrics", "method": "GET", "status": "401"}
    assert value(samples, "panel_http_request_duration_seconds_count", **refusals) == 6  # either worker
    assert value(samples, "panel_token_checks_total", result="revoked") == 1  # the other process
    assert len(list(folder.glob("histogram_*.db"))) >= 1
    assert web.stop() == 0


def test_a_celery_worker_s_series_show_on_the_web(stack_env, start, free_port, tmp_path) -> None:
    """The compose worker (prefork) checks a token whose VPSBG does not answer; the web scrapes it."""
    folder = tmp_path / "metrics"
    env = {
        **stack_env,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "METRICS_TOKEN": TOKEN,
        "VPSBG_API_URL": "http://127.0.0.1:1/v1",  # nothing listens on port 1: no answer
        "VPSBG_API_TIMEOUT": "2",
    }
    env.pop("REDIS_URL", None)
    created = run_manage(
        "shell",
        "-c",
        "from panel.accounts.models import Team; from panel.vault.models import ApiToken; "
        "t = ApiToken(team=Team.objects.create(name='Metrics', slug='metrics'), name='alpha'); "
        "t.set_secret('metrics-process-test-secret-0001'); t.save()",
        env=env,
    )
    assert created.returncode == 0, created.stderr

    argv = compose_command("worker")
    argv[argv.index("--concurrency") + 1] = "1"
    argv[argv.index("--hostname") + 1] = "metrics@%h"
    worker = start(argv, env, "worker")

    def ready() -> bool:
        with sqlite3.connect(db_path(env)) as db:
            query = "SELECT count(*) FROM core_workerheartbeat WHERE hostname LIKE 'metrics@%'"
            return db.execute(query).fetchone()[0] > 0

    worker.wait_for(ready, 90, "the worker's first heartbeat")
    publisher_for(env).send_task("panel.vault.tasks.check_tokens", queue="default")
    worker.wait_for(
        lambda: "panel.vault.tasks.check_tokens" in worker.output() and "succeeded" in worker.output(),
        90,
        "the token check to run",
    )

    web, base = start_web(start, env, free_port, workers=1)
    status, text = _get(base + "/metrics", TOKEN)
    assert status == 200
    samples = parse(text)
    assert value(samples, "panel_token_checks_total", result="failing") == 1  # counted in the worker
    call = {"operation_id": "user_get", "status": "no_answer", "token_kind": "check"}
    assert value(samples, "panel_vpsbg_request_duration_seconds_count", **call) == 1
    assert value(samples, "panel_vpsbg_tokens", status="failing") == 1  # read from the database
    assert 0 <= value(samples, "panel_worker_heartbeat_age_seconds") < 300
    assert worker.stop() == 0 and web.stop() == 0
