"""The hash chain: verifies when intact; names the first altered or missing event when not."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command

from panel.audit.chain import GENESIS_HASH, compute_hash, event_values, verify
from panel.audit.models import AuditChainHead, AuditEvent

from .conftest import raw_sql


@pytest.fixture
def five_events(make_event, owner, team) -> list[AuditEvent]:
    return [
        make_event(actor=owner.user, team=team, target_type="server", target_id=i, params={"n": i, "f": 1.0})
        for i in range(1, 6)
    ]


def run_verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def test_events_link_to_the_previous_hash(five_events):
    assert five_events[0].prev_hash == GENESIS_HASH
    assert [e.seq for e in five_events] == [1, 2, 3, 4, 5]
    for before, after in itertools.pairwise(five_events):
        assert after.prev_hash == before.hash
    stored = AuditEvent.objects.get(pk=five_events[2].pk)
    assert compute_hash(event_values(stored)) == stored.hash


def test_intact_chain_verifies(five_events):
    lines = run_verify().splitlines()
    assert lines[0] == "ok: 5 events verified" and lines[-1] == f"head: #5 {five_events[-1].hash}"
    assert lines[1].startswith("no published head to compare with yet")


def test_empty_log_verifies(db):
    assert run_verify().splitlines()[0] == "ok: 0 events verified"


def test_altered_row_is_reported(five_events):
    target = five_events[2]
    raw_sql(
        "UPDATE audit_auditevent SET outcome = 'ok', actor_name = 'someone else' WHERE id = %s", [target.pk]
    )
    with pytest.raises(CommandError) as error:
        run_verify()
    assert error.value.returncode == 1
    assert f"event id {target.pk}" in str(error.value) and "altered" in str(error.value)
    assert "after 2 good events" in str(error.value)


def test_altered_params_are_reported(five_events):
    raw_sql(
        "UPDATE audit_auditevent SET params = %s WHERE id = %s", ['{"n": 99, "f": 1.0}', five_events[0].pk]
    )
    result = verify()
    assert not result.ok and result.event_id == five_events[0].pk


def test_rewritten_row_with_a_recomputed_hash_breaks_the_next_link(five_events):
    victim = AuditEvent.objects.get(pk=five_events[1].pk)
    victim.actor_name = "forged"
    forged_hash = compute_hash(event_values(victim))
    raw_sql(
        "UPDATE audit_auditevent SET actor_name = 'forged', hash = %s WHERE id = %s", [forged_hash, victim.pk]
    )
    result = verify()
    assert not result.ok and result.event_id == five_events[2].pk
    assert "prev_hash" in result.problem


def test_deleted_row_is_reported_as_missing(five_events):
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [five_events[3].pk])
    result = verify()
    assert not result.ok
    assert "#4 missing" in result.problem and result.event_id == five_events[4].pk


def test_deleted_last_row_is_reported(five_events):
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [five_events[4].pk])
    result = verify()
    assert not result.ok and "#5..#5 missing at the end" in result.problem


def test_head_row_lost_is_rebuilt_from_the_last_event(five_events, make_event):
    AuditChainHead.objects.all().delete()
    event = make_event()
    assert event.seq == 6 and event.prev_hash == five_events[-1].hash
    assert verify().ok


def test_bad_chunk_size_is_a_clear_error(db):
    with pytest.raises(CommandError, match="chunk-size"):
        call_command("verify_audit_chain", "--chunk-size", "0")


def test_small_chunks_walk_the_whole_chain(five_events):
    assert verify(chunk_size=2).checked == 5
