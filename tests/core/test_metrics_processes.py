"""Multiprocess metrics for real: gunicorn with two workers and a separate "worker" process write
to one folder, and one scrape of the web shows the sum; `clear_metrics` empties the folder first.
"""
# The process tests' fixtures are imported by name so pytest finds them here; ruff sees the test
# arguments that use them as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .helpers import run_manage
from .test_processes import compose_command, stack_env, start  # noqa: F401 - fixtures

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

    argv = compose_command("web")
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{free_port}"
    argv[argv.index("--workers") + 1] = "2"
    web = start(argv, env, "web")
    base = f"http://127.0.0.1:{free_port}"
    web.wait_for(lambda: _get(base + "/healthz/live")[0] == 200, 60, "gunicorn to answer")

    refused = [_get(base + "/metrics")[0] for _ in range(6)]
    assert refused == [401] * 6  # never public, even on plain HTTP in production mode
    status, text = _get(base + "/metrics", TOKEN)
    assert status == 200
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    labels = (("method", "GET"), ("status", "401"), ("view", "metrics"))
    refusals = ("panel_http_request_duration_seconds_count", labels)
    assert samples[refusals] == 6  # whichever of the two gunicorn workers answered each
    assert samples[("panel_token_checks_total", (("result", "revoked"),))] == 1  # the other process
    assert len(list(folder.glob("histogram_*.db"))) >= 1
    assert web.stop() == 0
