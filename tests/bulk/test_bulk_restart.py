"""A bulk restart of 30 servers with VPSBG refusing 3: 27 succeed, 3 fail with VPSBG's reason, a
retry of the failed ones succeeds, and the audit log holds one event per server per attempt."""

from __future__ import annotations

import pytest

from panel.actions.request import ActionRequest
from panel.actions.servers import RESTART
from panel.audit.models import AuditEvent
from panel.bulk import retry_failed, start_batch
from panel.bulk.models import BatchItem, ItemState
from panel.operations.models import Operation, State
from panel.services import aggregates
from panel.services.context import Actor

from .conftest import drive

pytestmark = pytest.mark.django_db


def _thirty(actor: Actor) -> list[str]:
    servers = aggregates.servers_list_all(actor=actor).items
    running = [s for s in servers if s.server.hostname and s.server.hostname.startswith("bench-")]
    refs = sorted(str(s.ref) for s in running)[:30]
    assert len(refs) == 30
    return refs


def test_thirty_restarts_three_refused_then_retried(simulator, alpha, owner, settings) -> None:
    settings.BULK_CONCURRENCY = 7
    actor = Actor(owner)
    refs = _thirty(actor)
    simulator.sim.faults.add("servers_restart", status=422, count=3)
    requests = [ActionRequest.create(RESTART, actor=actor, target=ref) for ref in refs]

    parent = start_batch(requests)
    assert parent.kind == "bulk_servers_restart" and parent.target_label == "30 servers"
    parent = drive(simulator, parent)

    items = list(BatchItem.objects.filter(parent=parent))
    assert sum(i.state == ItemState.SUCCEEDED for i in items) == 27
    failed = [i for i in items if i.state == ItemState.FAILED]
    assert len(failed) == 3
    assert all("Simulated fault (422)" in i.error for i in failed), [i.error for i in failed]
    assert all(i.label.startswith("bench-") for i in items)  # hostnames, not ids
    assert parent.state == State.FAILED and parent.error.startswith("3 of 30 servers failed")
    # One child operation per server, never more than the concurrency at once.
    assert Operation.objects.filter(kind="do_servers_restart").count() == 30

    again = drive(simulator, retry_failed(parent, actor=actor))
    assert again.state == State.SUCCEEDED, again.error
    assert again.params["retry_of"] == parent.pk
    retried_targets = sorted(i.target for i in BatchItem.objects.filter(parent=again))
    assert retried_targets == sorted(i.target for i in failed)

    events = AuditEvent.objects.filter(operation_id="servers_restart")
    per_server = {ref: events.filter(target_id=ref).count() for ref in refs}
    retried = {i.target for i in failed}
    assert per_server == {ref: 2 if ref in retried else 1 for ref in refs}
    assert events.filter(outcome="failed").count() == 3  # each with VPSBG's answer, once


def test_concurrency_is_bounded(simulator, alpha, owner, settings) -> None:
    settings.BULK_CONCURRENCY = 4
    actor = Actor(owner)
    parent = start_batch([ActionRequest.create(RESTART, actor=actor, target=ref) for ref in _thirty(actor)])
    from panel.operations import runner

    runner.run(parent.pk)
    assert BatchItem.objects.filter(parent=parent, state=ItemState.RUNNING).count() == 4
    assert BatchItem.objects.filter(parent=parent, state=ItemState.PENDING).count() == 26
    parent.refresh_from_db()
    assert parent.state == State.WAITING and parent.lease == ""  # parked: no worker held
