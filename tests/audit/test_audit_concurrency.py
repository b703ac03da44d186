"""Concurrent appends never fork the chain (PostgreSQL: real parallel transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from panel.accounts.models import Team
from panel.audit.chain import verify
from panel.audit.models import AuditEvent
from panel.audit.recorder import record

from .conftest import ON_POSTGRES

THREADS = 6
PER_THREAD = 15


@pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL=postgres://...) for parallel writers"
)
@pytest.mark.django_db(transaction=True)
def test_parallel_appends_form_one_chain():
    team = Team.objects.create(name="Parallel", slug="parallel")
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            start.wait(timeout=60)
            for i in range(PER_THREAD):
                with transaction.atomic():
                    record(team=team, operation_id="servers_restart", target_id=f"{n}-{i}", outcome="ok")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    total = THREADS * PER_THREAD
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, total + 1))
    assert AuditEvent.objects.values("prev_hash").distinct().count() == total  # no two events share a parent
    result = verify()
    assert result.ok and result.checked == total
    assert connection.vendor == "postgresql"
