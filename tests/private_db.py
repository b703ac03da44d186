"""A database a worker *process* can open too, for the tests that start a real Celery worker.

pytest-django's test database may be an in-memory SQLite one, which no other process can see. This
switches the current connection to an SQLite file (or a fresh PostgreSQL database on CI), migrates
it, and gives the original connection back at the end. `private_redis_url` is the same for Redis.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper


@contextmanager
def private_database(django_db_blocker, folder: Path, prefix: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Yield the new database's URL (`DATABASE_URL` for the worker)."""
    saved = dict(connection.settings_dict)
    vendor = connection.vendor
    with django_db_blocker.unblock():
        # An in-memory SQLite test database lives only while its connection is open (and Django
        # ignores close() on it): keep that connection aside and give it back at the end.
        held = connection.connection
        connection.connection = None
        if vendor == "sqlite":
            path = folder / "panel.sqlite3"
            connection.settings_dict["NAME"] = str(path)
            url = f"sqlite:///{path}"
        else:
            name = f"{prefix}_{os.getpid()}"
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}"')
            connection.settings_dict["NAME"] = name
            s = connection.settings_dict
            url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
        call_command("migrate", verbosity=0)
        try:
            yield url
        finally:
            BaseDatabaseWrapper.close(connection)
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            if vendor != "sqlite":
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.connection = held


def private_redis_url(db: int) -> str:
    """A Redis database for a module's workers, or skip the test when Redis is not there.

    `REDIS_URL` itself when it names a database other than 0 (someone running several suites on
    one machine gives each its own: a fixed number would let their workers take each other's
    messages); else database `db`, the module's own beside the run's cache in database 0.
    """
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("needs Redis: set REDIS_URL (CI sets redis://127.0.0.1:6379/0)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"REDIS_URL is set but Redis does not answer: {exc}")
    parts = urlsplit(url)
    if parts.path.strip("/") not in ("", "0"):
        return url
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))
