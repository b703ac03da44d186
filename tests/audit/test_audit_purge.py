"""Retention: the oldest events go, a checkpoint stays, and the rest of the chain still verifies."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from panel.audit.chain import verify
from panel.audit.models import AuditEvent, AuditPurge
from panel.audit.purge import PURGE_OPERATION_ID, PurgeRefused, purge_older_than

from .conftest import raw_sql

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def aged_log(make_event, frozen_clock, monkeypatch) -> list[AuditEvent]:
    """Three events 400 days old, then two 10 days old; "now" is NOW."""
    events = []
    for days in (402, 401, 400, 10, 9):
        frozen_clock(NOW - dt.timedelta(days=days))
        events.append(make_event(target_id=str(days)))
    frozen_clock(NOW)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return events


def purge_command(*args: str) -> str:
    out = StringIO()
    call_command("purge_audit", *args, stdout=out)
    return out.getvalue()


def test_purge_removes_old_events_and_keeps_the_chain_verifiable(aged_log, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    assert "purged 3 events (#1..#3)" in purge_command()
    remaining = list(AuditEvent.objects.order_by("seq"))
    assert [e.target_id for e in remaining[:2]] == ["10", "9"]
    purge = AuditPurge.objects.get()
    assert (purge.first_seq, purge.anchor_seq, purge.purged_count) == (1, 3, 3)
    assert purge.anchor_hash == aged_log[2].hash
    # The purge itself is in the chain.
    assert remaining[-1].operation_id == PURGE_OPERATION_ID and remaining[-1].params["purged"] == 3
    result = verify()
    assert result.ok and result.checked == 3


def test_verify_after_purge_still_detects_tampering(aged_log):
    purge_older_than(NOW - dt.timedelta(days=365))
    raw_sql("UPDATE audit_auditevent SET target_id = 'x' WHERE seq = 4")
    assert not verify().ok


def test_removing_the_first_kept_event_after_a_purge_is_detected(aged_log):
    purge_older_than(NOW - dt.timedelta(days=365))
    raw_sql("DELETE FROM audit_auditevent WHERE seq = 4")
    result = verify()
    assert not result.ok and "#4 missing" in result.problem


def test_purging_everything_then_recording_continues_the_chain(aged_log, make_event):
    result = purge_older_than(NOW + dt.timedelta(days=1))
    assert result.purged == 5
    assert AuditEvent.objects.get().operation_id == PURGE_OPERATION_ID
    make_event()
    assert verify().ok and verify().checked == 2


def test_purge_twice_verifies_from_the_latest_checkpoint(aged_log):
    purge_older_than(NOW - dt.timedelta(days=365))
    purge_older_than(NOW - dt.timedelta(days=5))
    assert AuditPurge.objects.count() == 2
    assert verify().ok


def test_dry_run_removes_nothing(aged_log):
    assert "would purge 3 events" in purge_command("--days", "365", "--dry-run")
    assert AuditEvent.objects.count() == 5 and not AuditPurge.objects.exists()


def test_nothing_to_purge(aged_log):
    assert "nothing older than" in purge_command("--days", "1000")
    assert AuditEvent.objects.count() == 5


def test_retention_zero_keeps_everything(aged_log, settings):
    settings.AUDIT_RETENTION_DAYS = 0
    assert "keep forever" in purge_command()
    assert AuditEvent.objects.count() == 5


def test_negative_days_is_a_clear_error(aged_log):
    with pytest.raises(CommandError, match="--days"):
        purge_command("--days", "-1")


def test_purge_refuses_a_broken_chain(aged_log):
    raw_sql("UPDATE audit_auditevent SET outcome = 'denied' WHERE seq = 2")
    with pytest.raises(PurgeRefused):
        purge_older_than(NOW - dt.timedelta(days=365))
    with pytest.raises(CommandError, match="refused") as error:
        purge_command("--days", "365")
    assert error.value.returncode == 1
    assert AuditEvent.objects.count() == 5


def test_scheduled_task_purges_with_the_retention_setting(aged_log, settings):
    from panel.audit.tasks import purge_expired_events

    settings.AUDIT_RETENTION_DAYS = 365
    assert purge_expired_events() == 3
    assert verify().ok
    settings.AUDIT_RETENTION_DAYS = 0
    assert purge_expired_events() == 0


def test_scheduled_task_leaves_a_broken_chain_alone(aged_log, settings):
    from panel.audit.tasks import purge_expired_events

    raw_sql("UPDATE audit_auditevent SET outcome = 'denied' WHERE seq = 1")
    assert purge_expired_events() == 0
    assert AuditEvent.objects.count() == 5


def test_a_forged_checkpoint_without_its_purge_event_is_detected(aged_log):
    """Someone deletes old rows by hand and adds a checkpoint to hide it: no audit.purge event."""
    raw_sql("DELETE FROM audit_auditevent WHERE seq <= 2")
    AuditPurge.objects.create(
        created_at=NOW, cutoff=NOW, purged_count=2, first_seq=1, anchor_seq=2, anchor_hash=aged_log[1].hash
    )
    result = verify()
    assert not result.ok and "no matching audit.purge event" in result.problem
