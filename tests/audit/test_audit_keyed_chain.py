"""The chain is keyed (AUDIT_HMAC_KEYS) and its head published outside the database.

Whoever can write the database can change rows, recompute hashes and move the head row back, but
cannot compute the keyed hashes, nor reach the published head: both show in `verify_audit_chain`.
"""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from panel.audit.chain import canonical_bytes, event_values, verify
from panel.audit.head import publish_head, read_published_head
from panel.audit.models import AuditChainHead, AuditEvent
from panel.core import keyed_hash

from .conftest import raw_sql


@pytest.fixture
def five_events(make_event, owner, team) -> list[AuditEvent]:
    return [make_event(actor=owner.user, team=team, target_id=i, params={"n": i}) for i in range(1, 6)]


def _rewrite_from(seq: int, *, digest) -> None:  # type: ignore[no-untyped-def]
    """What an attacker with database access does: change event `seq`, rehash it and the rest."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        values = event_values(event)
        if event.seq == seq:
            values["actor_name"] = "someone else"
        values["prev_hash"] = prev
        key_id, new_hash = digest(values)
        values["key_id"] = key_id
        raw_sql(
            "UPDATE audit_auditevent SET actor_name = %s, prev_hash = %s, key_id = %s, hash = %s "
            "WHERE id = %s",
            [values["actor_name"], prev, key_id, new_hash, event.pk],
        )
        prev = new_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


def _verify_command(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit_chain", *args, stdout=out)
    return out.getvalue()


def test_new_events_are_hashed_with_the_key(five_events):
    key = settings.AUDIT_HMAC_KEYS[0]
    event = AuditEvent.objects.get(pk=five_events[2].pk)
    assert event.key_id == keyed_hash.key_id(key)
    assert event.hash == keyed_hash.digest(key, canonical_bytes(event_values(event)))
    assert event.hash != hashlib.sha256(canonical_bytes(event_values(event))).hexdigest()


def test_a_rewrite_rehashed_without_the_key_is_caught(five_events):
    def plain_sha256(values):  # type: ignore[no-untyped-def]
        return "", hashlib.sha256(canonical_bytes({**values, "key_id": ""})).hexdigest()

    _rewrite_from(3, digest=plain_sha256)
    result = verify()
    assert not result.ok and result.seq == 3 and "without the audit key" in result.problem


def test_a_rewrite_rehashed_with_a_guessed_key_is_caught(five_events):
    def guessed_key(values):  # type: ignore[no-untyped-def]
        return values["key_id"], keyed_hash.digest("a-guess", canonical_bytes(values))

    _rewrite_from(2, digest=guessed_key)
    result = verify()
    assert not result.ok and result.seq == 2 and "altered" in result.problem


def test_cutting_the_newest_events_and_rewinding_the_head_is_caught(five_events):
    published = publish_head()
    assert published is not None and published.seq == 5
    assert read_published_head() == published
    raw_sql("DELETE FROM audit_auditevent WHERE seq > 3")
    AuditChainHead.objects.filter(pk=1).update(last_seq=3, last_hash=five_events[2].hash)

    result = verify()
    assert not result.ok and "#4..#5 missing at the end" in result.problem
    with pytest.raises(CommandError, match="published outside the database"):
        _verify_command()
    # The next publication refuses to move the published head back over the evidence.
    assert publish_head() is None
    assert read_published_head() == published


def test_a_head_from_the_log_can_be_given_instead_of_the_file(five_events):
    head = f"{five_events[4].seq}:{five_events[4].hash}"
    output = _verify_command("--published-head", head)
    assert f"published head #5 {five_events[4].hash} is in the chain" in output
    raw_sql("DELETE FROM audit_auditevent WHERE seq = 5")
    AuditChainHead.objects.filter(pk=1).update(last_seq=4, last_hash=five_events[3].hash)
    assert verify(published=None).ok  # what verify_audit_chain said before the head was published
    with pytest.raises(CommandError, match=r"#5\.\.#5 missing at the end"):
        _verify_command("--published-head", head)
    with pytest.raises(CommandError, match="SEQ:HASH"):
        _verify_command("--published-head", "five")


def test_publishing_follows_the_chain_and_the_file_is_json(five_events, make_event):
    from panel.audit.tasks import publish_chain_head

    assert publish_chain_head() == 5
    make_event()
    head = publish_head()
    assert head is not None and head.seq == 6
    written = json.loads(Path(settings.AUDIT_HEAD_FILE).read_text())
    assert written["hash"] == AuditEvent.objects.get(seq=6).hash
    assert verify().ok


def test_a_garbled_published_head_is_reported_not_trusted(five_events):
    Path(settings.AUDIT_HEAD_FILE).write_text("not json")
    result = verify()
    assert not result.ok and "cannot be read" in result.problem


def test_the_key_can_be_rotated_and_old_events_verify_while_kept(settings, five_events, make_event):
    old = settings.AUDIT_HMAC_KEYS[0]
    settings.AUDIT_HMAC_KEYS = ["a-new-audit-key-for-the-rotation-test-123456", old]
    newer = make_event()
    assert newer.key_id != five_events[0].key_id and newer.prev_hash == five_events[-1].hash
    assert verify().ok
    settings.AUDIT_HMAC_KEYS = settings.AUDIT_HMAC_KEYS[:1]  # dropped too early
    result = verify()
    assert not result.ok and "does not hold" in result.problem and result.seq == 1


def test_events_from_before_the_key_still_verify_as_the_oldest_part(make_event, owner, team):
    first = make_event(actor=owner.user, team=team)
    legacy_hash = hashlib.sha256(canonical_bytes({**event_values(first), "key_id": ""})).hexdigest()
    raw_sql("UPDATE audit_auditevent SET key_id = '', hash = %s WHERE id = %s", [legacy_hash, first.pk])
    AuditChainHead.objects.filter(pk=1).update(last_hash=legacy_hash)
    second = make_event(actor=owner.user, team=team)
    assert second.prev_hash == legacy_hash and second.key_id
    assert verify().ok


def test_beat_publishes_the_head() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["audit-publish-head"]
    assert entry["task"] == "panel.audit.tasks.publish_chain_head"
    assert entry["schedule"] == float(settings.AUDIT_HEAD_PUBLISH_INTERVAL)
