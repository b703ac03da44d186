"""Fixtures of the audit tests: two teams, a member per role, staff, an outsider, event makers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from panel.accounts.models import Membership, Team, User
from panel.accounts.roles import Role
from panel.audit import chain
from panel.audit.models import AuditEvent
from panel.audit.recorder import record

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db) -> Team:
    return Team.objects.create(name="Acme", slug="acme")


@pytest.fixture
def other_team(db) -> Team:
    return Team.objects.create(name="Globex", slug="globex")


@pytest.fixture
def make_member(db) -> Callable[..., Membership]:
    counter = iter(range(1, 10_000))

    def _make(team: Team, role: str = Role.OWNER, full_name: str = "") -> Membership:
        user = User.objects.create_user(
            email=f"{role}{next(counter)}@{team.slug}.example",
            password="correct horse battery",
            full_name=full_name or role.title(),
        )
        return Membership.objects.create(team=team, user=user, role=role)

    return _make


@pytest.fixture
def owner(team, make_member) -> Membership:
    return make_member(team, Role.OWNER, "Olive Owner")


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user(
        email="reviewer@panel.example",
        password="correct horse battery",
        full_name="Stan Staff",
        is_staff=True,
    )


@pytest.fixture
def outsider(db) -> User:
    return User.objects.create_user(email="nobody@elsewhere.example", password="correct horse battery")


@pytest.fixture
def make_event(db) -> Callable[..., AuditEvent]:
    """record() with sensible defaults; override any argument."""

    def _make(**kwargs: object) -> AuditEvent:
        kwargs.setdefault("operation_id", "servers_restart")
        kwargs.setdefault("outcome", "ok")
        return record(**kwargs)

    return _make


@pytest.fixture
def frozen_clock(monkeypatch) -> Callable[[dt.datetime], None]:
    """Stamp new events with a chosen time (retention tests need old events)."""

    def _set(when: dt.datetime) -> None:
        monkeypatch.setattr(chain, "clock", lambda: when)

    return _set


@contextmanager
def triggers_disabled() -> Iterator[None]:
    """Let a test tamper with rows through raw SQL, as an attacker with database access could."""
    if ON_POSTGRES:
        # Replica mode skips ordinary triggers (superuser only, like a real attacker with DB access).
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        if ON_POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


def raw_sql(sql: str, params: list[object] | None = None) -> int:
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount
