"""Production refuses weak secrets at start-up, and passes Django's deployment checklist."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from panel.core.config import encryption_keys_problem, require_production_secrets, secret_key_problem

from .helpers import STRONG_SECRET_KEY, production_env, run_manage


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("", "not set"),
        (settings.INSECURE_SECRET_KEY, "development default"),
        ("django-insecure-" + "x1y2z3" * 10, "development default"),
        ("short-but-random-8u3h4", "too short"),
        ("ab" * 40, "distinct characters"),
    ],
)
def test_weak_secret_keys_are_named(key: str, expected: str) -> None:
    assert expected in (secret_key_problem(key, {settings.INSECURE_SECRET_KEY}) or "")


def test_strong_secret_key_passes() -> None:
    assert secret_key_problem(STRONG_SECRET_KEY) is None


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([], "not set"),
        ([" "], "not set"),
        ([settings.INSECURE_ENCRYPTION_KEY], "development default"),
        (["not-a-fernet-key"], "key #1 is not a valid Fernet key"),
        ([Fernet.generate_key().decode(), "bad"], "key #2 is not a valid Fernet key"),
    ],
)
def test_bad_encryption_keys_are_named(keys: list[str], expected: str) -> None:
    assert expected in (encryption_keys_problem(keys, {settings.INSECURE_ENCRYPTION_KEY}) or "")


def test_rotation_pair_of_valid_keys_passes() -> None:
    assert encryption_keys_problem([Fernet.generate_key().decode(), Fernet.generate_key().decode()]) is None


def test_problems_are_reported_together() -> None:
    with pytest.raises(ImproperlyConfigured) as info:
        require_production_secrets(secret_key="", encryption_keys=["nope"])
    assert "SECRET_KEY is not set" in str(info.value)
    assert "PANEL_ENCRYPTION_KEYS key #1" in str(info.value)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": settings.INSECURE_SECRET_KEY}, "SECRET_KEY is the published development default"),
        ({"PANEL_ENCRYPTION_KEYS": "zzz"}, "not a valid Fernet key"),
        ({"PANEL_ENCRYPTION_KEYS": settings.INSECURE_ENCRYPTION_KEY}, "development default"),
    ],
)
def test_production_refuses_to_start(override: dict[str, str], expected: str) -> None:
    result = run_manage("check", env=production_env(**override))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert expected in result.stderr


@pytest.mark.slow
def test_deploy_checklist_passes_with_production_settings() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNINGS:" not in output and "(security.W" not in output, output


def test_demo_defaults_need_no_server() -> None:
    """With no environment the panel runs on SQLite, a filesystem broker and no result backend."""
    import os

    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        pytest.skip("only meaningful without DATABASE_URL/REDIS_URL")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CELERY_BROKER_URL.startswith("filesystem://")
    assert settings.CELERY_RESULT_BACKEND is None


def test_celery_reliability_settings() -> None:
    from panel.celery import app

    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    # A task that loses the broker finishes (cancelling it made the demo's thread-pool worker exit).
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is False
    assert conf.task_soft_time_limit < conf.task_time_limit
    if not conf.broker_url.startswith("filesystem"):
        assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_default_queue == "default"
    assert app.amqp.router.route({}, "panel.operations.tasks.run_operation")["queue"].name == "operations"
    assert app.amqp.router.route({}, "panel.core.tasks.heartbeat")["queue"].name == "default"
    # Django fixup: tasks offer delay_on_commit / apply_async_on_commit.
    from panel.core.tasks import heartbeat

    assert hasattr(heartbeat, "delay_on_commit")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([], "AUDIT_HMAC_KEYS is not set"),
        ([settings.INSECURE_AUDIT_HMAC_KEY], "development default"),
        (["short-key"], "key #1 is too weak"),
        (["x" * 40], "key #1 is too weak"),
    ],
)
def test_weak_hmac_keys_are_named(keys: list[str], expected: str) -> None:
    from panel.core.config import hmac_keys_problem

    assert expected in (hmac_keys_problem("AUDIT_HMAC_KEYS", keys, {settings.INSECURE_AUDIT_HMAC_KEY}) or "")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["AUDIT_HMAC_KEYS", "VAULT_FINGERPRINT_KEYS"])
def test_production_refuses_to_start_without_the_hmac_keys(name: str) -> None:
    result = run_manage("check", env=production_env(**{name: ""}))
    assert result.returncode != 0 and f"{name} is not set" in result.stderr


@pytest.mark.slow
def test_the_demo_database_files_are_readable_by_their_owner_only(tmp_path) -> None:
    """SQLite in demo mode: the database and its WAL files are created 0600, whatever the umask."""
    import json

    database = tmp_path / "var" / "panel.sqlite3"
    env = {k: v for k, v in production_env().items() if k not in ("DEBUG", "SECRET_KEY")}
    env.update(DATABASE_URL=f"sqlite:///{database}", PANEL_VAR_DIR=str(tmp_path / "var"))
    script = (  # the WAL files exist while a connection is open: look then
        "import json, pathlib, stat\n"
        "from django.db import connection\n"
        "connection.cursor().execute('CREATE TABLE t (x int)')\n"
        f"folder = pathlib.Path({str(database.parent)!r})\n"
        "print(json.dumps({p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in folder.iterdir()"
        " if p.name.startswith('panel.sqlite3')}))\n"
    )
    result = run_manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(modes) >= {"panel.sqlite3", "panel.sqlite3-wal", "panel.sqlite3-shm"}
    assert set(modes.values()) == {"0o600"}, modes


def test_x_forwarded_proto_is_not_believed_without_a_proxy(rf) -> None:
    """BEHIND_PROXY is off by default: a client's own X-Forwarded-Proto does not make it HTTPS."""
    assert settings.BEHIND_PROXY is False and settings.SECURE_PROXY_SSL_HEADER is None
    assert not rf.get("/", HTTP_X_FORWARDED_PROTO="https").is_secure()


def test_operation_time_limits_are_coherent(settings) -> None:
    """One delivery's soft limit is its lease and the hard limit follows; a live worker refreshes its
    operations' heartbeat several times before one counts as "stuck", and longer than one VPSBG call
    may take; a task is sent again only past any delivery's hard limit; and the broker never hands a
    running task to a second worker."""
    from panel.celery import app
    from panel.operations.tasks import run_operation

    lease = settings.OPERATIONS_LEASE_SECONDS
    resend = settings.OPERATIONS_RESEND_AFTER
    assert run_operation.soft_time_limit == lease < run_operation.time_limit < resend
    assert 3 * settings.OPERATIONS_KEEPALIVE_SECONDS < settings.OPERATIONS_STUCK_AFTER <= 60
    assert settings.OPERATIONS_STUCK_AFTER > settings.VPSBG_API_TIMEOUT
    if not app.conf.broker_url.startswith("filesystem"):
        assert app.conf.broker_transport_options["visibility_timeout"] > run_operation.time_limit
