"""Fixtures shared by the whole suite. Keep it small: area fixtures live in each area's conftest."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

pytest_plugins = ["tests.fixtures_accounts"]


@pytest.fixture
def free_port() -> Iterator[int]:
    """A TCP port on loopback that nothing listens on, held for the test.

    The socket stays bound without listening: a connection is refused at once, and no other
    process (a server another test or another suite starts on port 0) can be given the port
    meanwhile. A test may still bind and listen on it itself, with SO_REUSEADDR (servers set it).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def redis_url() -> Iterator[str]:
    """REDIS_URL when set and answering; otherwise the test is skipped with the reason."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("needs Redis: set REDIS_URL (CI sets redis://127.0.0.1:6379/0)")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"REDIS_URL is set but Redis does not answer: {exc}")
    finally:
        client.close()
    yield url




@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """pytest-django's test database; on SQLite, without the audit tables' append-only triggers.

    Django empties the test database between transactional tests (live server, browser) with
    `DELETE FROM` on every table, which the triggers refuse, and SQLite cannot tell that apart.
    PostgreSQL's flush is a TRUNCATE, which its triggers let through. The SQLite triggers are
    tested on a database of their own (tests/core/test_upgrade_migrations.py).
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER "{name}"')


@pytest.fixture(autouse=True)
def _test_settings(settings, free_port: int, tmp_path) -> None:
    """Fast password hashing, and no test ever reaching the real VPSBG API by accident.

    A test that needs an upstream starts the simulator and points VPSBG_API_URL at it; any other
    call lands on a closed loopback port and fails fast as "unreachable".
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VPSBG_API_URL = f"http://127.0.0.1:{free_port}/v1"
    settings.AUDIT_HEAD_FILE = str(tmp_path / "audit-head.json")  # never a head another run published


@pytest.fixture
def simulator() -> Iterator[object]:
    """A fresh simulator (demo seed, frozen clock) over real HTTP on loopback."""
    from vpsbg_api.simulator.testing import simulator_fixture

    with simulator_fixture() as running:
        yield running
