"""/metrics: each series moves when its event happens, and nothing secret or personal is exposed.

The VPSBG side is the real simulator over HTTP; operations run through the real step engine
(the task body called directly, as in tests/operations). Counters are process-wide, so each test
compares a scrape after the event with a scrape before it.
"""
# The operation tests' fixtures are imported below by name, so pytest finds them here; ruff sees
# the test arguments that use them as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import math
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
import requests
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from panel.core import metrics
from panel.operations import services as operations
from panel.operations.models import State
from panel.services import execution
from panel.services.tokens import check_token
from tests.fixtures_accounts import sign_in
from tests.operations.conftest import (  # noqa: F401 - fixtures of the operation tests
    ALPHA,
    add_token,
    fast_operations,
    fresh_keys,
    member,
    owner,
    run_to_end,
    simulator,
    sleeps,
    team,
    tokens,
)
from vpsbg_api import RetryPolicy

SCRAPE_TOKEN = "scrape-canary-7f3a9c2e5b1d4e6f"
SERVER = f"{ALPHA}:2864"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def scrape(settings) -> Callable[[], str]:
    settings.METRICS_TOKEN = SCRAPE_TOKEN

    def _scrape() -> str:
        response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {SCRAPE_TOKEN}")
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain; version=")
        return response.content.decode()

    return _scrape


@pytest.fixture
def browser(owner) -> Client:
    return sign_in(owner.user, team=owner.team, verified=owner.team.require_2fa)


def test_a_page_view_counts_by_url_name_and_status(scrape, browser, tokens) -> None:
    before = parse(scrape())
    assert browser.get("/servers/").status_code == 200
    after = parse(scrape())
    name = "panel_http_request_duration_seconds_count"
    labels = {"view": "web:servers", "method": "GET", "status": "200"}
    assert value(after, name, **labels) == value(before, name, **labels) + 1
    bucket = {**labels, "le": "+Inf"}
    assert value(after, "panel_http_request_duration_seconds_bucket", **bucket) >= 1


def test_vpsbg_calls_count_by_operation_status_and_token_kind(scrape, browser, tokens) -> None:
    before = parse(scrape())
    assert browser.get(f"/servers/{SERVER}/").status_code == 200
    after = parse(scrape())
    name = "panel_vpsbg_request_duration_seconds_count"
    labels = {"operation_id": "servers_get", "status": "200", "token_kind": "read_write"}
    assert value(after, name, **labels) == value(before, name, **labels) + 1


def test_a_429_and_a_retry_are_counted(scrape, browser, tokens, simulator, monkeypatch) -> None:
    before = parse(scrape())
    simulator.sim.faults.add(operation="servers_get", status=429, count=1)
    page = browser.get(f"/servers/{SERVER}/")
    assert "VPSBG rate limit" in page.content.decode()  # the page says so, with no 500
    # One GET that fails once with 503 and succeeds on the client's retry.
    retry_once = RetryPolicy(max_attempts=2, base=0.0, cap=0.0, sleep=lambda _: None)
    monkeypatch.setattr(execution, "RETRY", retry_once)
    simulator.sim.faults.add(operation="servers_get", status=503, count=1)
    assert browser.get(f"/servers/{SERVER}/").status_code == 200
    after = parse(scrape())
    limited = {"operation_id": "servers_get", "token_kind": "read_write"}
    assert value(after, "panel_vpsbg_rate_limited_total", **limited) == (
        value(before, "panel_vpsbg_rate_limited_total", **limited) + 1
    )
    count = "panel_vpsbg_request_duration_seconds_count"
    with_429 = {**limited, "status": "429"}
    assert value(after, count, **with_429) == value(before, count, **with_429) + 1
    assert value(after, "panel_vpsbg_retries_total", **limited) == (
        value(before, "panel_vpsbg_retries_total", **limited) + 1
    )


def test_an_operation_counts_while_waiting_and_when_it_ends(
    scrape, owner, tokens, sleeps, django_capture_on_commit_callbacks
) -> None:
    before = parse(scrape())
    with django_capture_on_commit_callbacks(execute=True):
        op = operations.start(actor=owner, kind="rescue_on", params={"server": SERVER})
    waiting = parse(scrape())
    active = {"kind": "rescue_on", "state": "queued"}
    assert value(waiting, "panel_operations_active", **active) == 1
    assert value(waiting, "panel_operations_oldest_active_age_seconds") >= 0
    with django_capture_on_commit_callbacks(execute=True):
        op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error
    after = parse(scrape())
    ended = {"kind": "rescue_on", "state": "succeeded"}
    name = "panel_operation_duration_seconds_count"
    assert value(after, name, **ended) == value(before, name, **ended) + 1
    assert value(after, "panel_operations_active", **active) == 0
    audit = {"action": "servers_rescue_enable", "outcome": "ok"}
    name = "panel_audit_events_total"
    assert value(after, name, **audit) == value(before, name, **audit) + 1


def test_token_checks_and_token_states(scrape, tokens, simulator) -> None:
    before = parse(scrape())
    assert check_token(tokens["alpha_rw"].pk) == "ok"
    after = parse(scrape())
    name = "panel_token_checks_total"
    assert value(after, name, result="ok") == value(before, name, result="ok") + 1
    assert value(after, "panel_vpsbg_tokens", status="ok") == 2
    check = {"operation_id": "user_get", "status": "200", "token_kind": "check"}
    name = "panel_vpsbg_request_duration_seconds_count"
    assert value(after, name, **check) >= value(before, name, **check) + 1


def test_workers_beat_and_queues_are_read_at_scrape_time(scrape, db) -> None:
    from django.utils import timezone

    from panel.core.models import WorkerHeartbeat

    none_yet = parse(scrape())
    assert math.isinf(value(none_yet, "panel_worker_heartbeat_age_seconds"))
    WorkerHeartbeat.objects.create(hostname="worker-1.internal", seen_at=timezone.now())
    samples = parse(scrape())
    assert 0 <= value(samples, "panel_worker_heartbeat_age_seconds") < 60
    assert ("panel_beat_last_run_age_seconds", ()) in samples
    for queue in ("default", "operations"):
        assert ("panel_celery_queue_length", (("queue", queue),)) in samples
    for source in ("operations", "workers", "tokens", "broker"):
        assert value(samples, "panel_metrics_source_up", source=source) == 1


def test_a_broker_that_does_not_answer_is_reported_not_a_failed_scrape(scrape, db, monkeypatch) -> None:
    from panel.core import health

    monkeypatch.setattr(health, "broker_settings", lambda: ("redis://127.0.0.1:1/0", {}))
    samples = parse(scrape())
    assert value(samples, "panel_metrics_source_up", source="broker") == 0
    assert value(samples, "panel_metrics_source_up", source="operations") == 1
    assert not any(name == "panel_celery_queue_length" for name, _ in samples)


def test_nothing_secret_or_personal_in_the_output(
    scrape, browser, owner, tokens, simulator, sleeps, django_capture_on_commit_callbacks
) -> None:
    simulator.sim.faults.add(operation="servers_get", status=429, count=1)
    browser.get(f"/servers/{SERVER}/")
    browser.get("/servers/")
    hostname_path = "/no-such-page/db-1.alpha.example/admin@alpha.example/"
    assert browser.get(hostname_path).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        run_to_end(operations.start(actor=owner, kind="rescue_on", params={"server": SERVER}))
    text = scrape()
    listing = requests.get(simulator.base_url + "/servers", headers=simulator.headers(), timeout=5).text
    hostnames = set(re.findall(r'"hostname":\s*"([^"]+)"', listing))
    assert hostnames
    secrets = [SCRAPE_TOKEN, *simulator.tokens.values(), owner.user.email, ALPHA, *hostnames, SERVER]
    for secret in secrets:
        assert secret not in text
    assert "@" not in text and "alpha.example" not in text  # no e-mail, no hostname of any kind
    assert 'view="unmatched"' in text  # the unknown path is counted under one label


def test_counters_of_other_processes_are_added_up(tmp_path, scrape, db, monkeypatch) -> None:
    """Two "worker" processes write to the shared folder; the web's scrape shows their sum."""
    program = (
        "from datetime import datetime, timedelta, timezone\n"
        "from panel.core import metrics\n"
        "now = datetime.now(timezone.utc)\n"
        "metrics.operation_ended('reinstall', 'failed', now - timedelta(seconds=90), now)\n"
        "metrics.audit_event_recorded('servers_reinstall', 'failed')\n"
    )
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", program], env=env, check=True, timeout=60)
    assert len(list(tmp_path.glob("histogram_*.db"))) == 2  # one file per process
    monkeypatch.setattr(metrics, "MULTIPROC_DIR", str(tmp_path))
    samples = parse(scrape())
    ended = {"kind": "reinstall", "state": "failed"}
    assert value(samples, "panel_operation_duration_seconds_count", **ended) == 2
    assert value(samples, "panel_operation_duration_seconds_sum", **ended) == pytest.approx(180)
    assert value(samples, "panel_audit_events_total", action="servers_reinstall", outcome="failed") == 2
    assert value(samples, "panel_metrics_source_up", source="operations") == 1  # live gauges still there
