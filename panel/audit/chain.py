"""The hash chain: how an event's hash is computed, how appends are serialized, how it is verified.

`hash = HMAC-SHA256(key, canonical JSON of the event's recorded facts + prev_hash + key_id)`, the
key being the first of `AUDIT_HMAC_KEYS`, which lives outside the database: whoever can write the
database cannot recompute the chain after changing a row. Each event names its key (`key_id`,
see `panel.core.keyed_hash`), so the chain runs on across a key rotation and old events verify
with the key they were made with (kept in the list after the new one). Events written before the
chain was keyed have no `key_id` and a plain SHA-256; they are accepted only as the chain's
oldest part: an unkeyed event after a keyed one is a rewrite.

The end of the chain is published outside the database on a schedule (`panel.audit.head`), so a
rewind (newest rows cut, head row moved back) is caught too. The canonical form uses
only values that read back from every supported database exactly as they were written (text,
integers, JSON params already normalized by the recorder, the time as an ISO string with
microseconds in UTC), so verification gives the same answer on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from panel.core import keyed_hash

from .models import AuditChainHead, AuditEvent, AuditPurge

GENESIS_HASH = "0" * 64
# The event `purge_audit` appends after removing a prefix; the verifier expects one per checkpoint.
PURGE_OPERATION_ID = "audit.purge"

# The clock events are stamped with; tests replace it to make old events for retention.
clock = timezone.now

# The fields the hash covers, in a fixed list so adding a model field never silently changes it.
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "created_at",
    "actor_user_id",
    "actor_name",
    "actor_api_token",
    "team_ref_id",
    "team_name",
    "operation_id",
    "target_type",
    "target_id",
    "target_label",
    "token_id",
    "token_name",
    "params",
    "outcome",
    "upstream_status",
    "upstream_message",
    "request_id",
    "client_ip",
    "user_agent",
    "operation_url",
    "reason",
    "prev_hash",
)


def _utc_iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical_json(value: Any) -> Any:
    """Integral floats as integers: PostgreSQL's jsonb reads `1e20` back as an integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_json(v) for v in value]
    return value


KEYS_SETTING = "AUDIT_HMAC_KEYS"


class UnknownKey(Exception):
    """An event names a key that `AUDIT_HMAC_KEYS` does not hold (dropped too early, or forged)."""


def canonical_bytes(values: dict[str, Any]) -> bytes:
    """The exact bytes hashed for one event (sorted keys, no whitespace, UTF-8)."""
    data = {name: values[name] for name in HASHED_FIELDS}
    data["created_at"] = _utc_iso(data["created_at"])
    data["params"] = _canonical_json(data["params"])
    if values.get("key_id"):  # unkeyed (older) events hash exactly what they hashed when written
        data["key_id"] = values["key_id"]
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def current_key_id() -> str:
    """The id of the key new events are hashed with (the first of `AUDIT_HMAC_KEYS`)."""
    return keyed_hash.key_id(keyed_hash.keys(KEYS_SETTING)[0])


def _key(key_id: str) -> str:
    for key in keyed_hash.keys(KEYS_SETTING):
        if keyed_hash.key_id(key) == key_id:
            return key
    raise UnknownKey(key_id)


def compute_hash(values: dict[str, Any]) -> str:
    """The event's hash: keyed under the key its `key_id` names; plain SHA-256 for unkeyed events."""
    key_id = values.get("key_id") or ""
    if not key_id:
        return hashlib.sha256(canonical_bytes(values)).hexdigest()
    return keyed_hash.digest(_key(key_id), canonical_bytes(values))


def event_values(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in (*HASHED_FIELDS, "key_id")}


def lock_head() -> AuditChainHead:
    """Lock and return the chain head; must run inside a transaction.

    On PostgreSQL `SELECT ... FOR UPDATE` makes concurrent appenders wait for the holder's commit.
    On SQLite the head is touched with an UPDATE first, which takes the database write lock before
    the head is read (a plain read would not, and two writers could read the same head).
    If the head row is missing (a fresh or flushed database), it is re-created from the last event
    so the chain continues rather than restarting.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_head() must run inside transaction.atomic().")
    if connection.vendor == "sqlite":
        AuditChainHead.objects.filter(pk=1).update(last_seq=F("last_seq"))
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        purge = AuditPurge.objects.order_by("-anchor_seq").first()
        if last is not None:
            seq, digest = last.seq, last.hash
        elif purge is not None:
            seq, digest = purge.anchor_seq, purge.anchor_hash
        else:
            seq, digest = 0, GENESIS_HASH
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=1, last_seq=seq, last_hash=digest)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def append(values: dict[str, Any]) -> AuditEvent:
    """Insert one event at the end of the chain, in the caller's transaction.

    `values` holds every hashed field except `seq`, `created_at` and `prev_hash`, plus the
    `actor`/`team` links. The time is taken under the lock, so it never goes backwards along the
    chain (unless the clock does).
    """
    with transaction.atomic():
        head = lock_head()
        event = AuditEvent(**values)
        event.created_at = clock()
        event.seq = head.last_seq + 1
        event.prev_hash = head.last_hash
        event.key_id = current_key_id()
        event.hash = compute_hash(event_values(event))
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


def append_many(values_list: Iterable[dict[str, Any]], *, batch_size: int = 1000) -> int:
    """Append many events under one lock with batched inserts (imports, benchmarks, test data).

    Each item is shaped as for `append()`; returns how many were appended.
    """
    count = 0
    with transaction.atomic():
        head = lock_head()
        seq, prev = head.last_seq, head.last_hash
        key_id = current_key_id()
        batch: list[AuditEvent] = []
        for values in values_list:
            event = AuditEvent(**values)
            event.created_at = values.get("created_at") or clock()
            seq += 1
            event.seq, event.prev_hash, event.key_id = seq, prev, key_id
            event.hash = prev = compute_hash(event_values(event))
            batch.append(event)
            if len(batch) >= batch_size:
                AuditEvent.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        if batch:
            AuditEvent.objects.bulk_create(batch)
            count += len(batch)
        AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    return count


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    event_id: int | None = None
    seq: int | None = None


def _events_in_order(chunk_size: int) -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)


def _hash_problem(event: AuditEvent, keyed_seen: bool) -> str:
    """Why the event's own hash is wrong ("" when it is right)."""
    where = f"event {event.pk} (#{event.seq})"
    if not event.key_id and keyed_seen:
        return (
            f"{where} has an unkeyed hash after keyed ones: it was rewritten by someone without "
            "the audit key"
        )
    try:
        if compute_hash(event_values(event)) == event.hash:
            return ""
    except UnknownKey:
        return (
            f"{where} names audit key {event.key_id!r}, which {KEYS_SETTING} does not hold: put the "
            "key it was made with back (after the newest), or the event was forged"
        )
    return f"{where} was altered: its contents do not match its hash"


def verify(*, chunk_size: int = 2000, published: Any = "file") -> VerifyResult:
    """Walk the chain from its anchor (genesis or the latest purge) and report the first break.

    Then compare its end with the head published outside the database (`panel.audit.head`):
    `published` is a `PublishedHead`, None to skip, or "file" to read `AUDIT_HEAD_FILE`.
    """
    purge = AuditPurge.objects.order_by("-anchor_seq").first()
    expected_seq, prev = (purge.anchor_seq + 1, purge.anchor_hash) if purge else (1, GENESIS_HASH)
    checked = 0
    keyed_seen = False
    purge_event_seen = purge is None
    for event in _events_in_order(chunk_size):
        if event.seq < expected_seq:
            return VerifyResult(
                False,
                checked,
                f"event {event.pk} (#{event.seq}) is older than the chain's start "
                f"#{expected_seq}: it was inserted or the purge record is wrong",
                event.pk,
                event.seq,
            )
        if event.seq > expected_seq:
            missing = (
                f"#{expected_seq}" if event.seq == expected_seq + 1 else f"#{expected_seq}..#{event.seq - 1}"
            )
            return VerifyResult(
                False,
                checked,
                f"event(s) {missing} missing before event {event.pk} (#{event.seq})",
                event.pk,
                expected_seq,
            )
        problem = _hash_problem(event, keyed_seen)
        if problem:
            return VerifyResult(False, checked, problem, event.pk, event.seq)
        keyed_seen = keyed_seen or bool(event.key_id)
        if event.prev_hash != prev:
            return VerifyResult(
                False,
                checked,
                f"event {event.pk} (#{event.seq}) does not follow the previous event: "
                "its prev_hash differs (an earlier event was rewritten or replaced)",
                event.pk,
                event.seq,
            )
        if (
            not purge_event_seen
            and event.operation_id == PURGE_OPERATION_ID
            and isinstance(event.params, dict)
            and purge is not None
            and event.params.get("anchor_hash") == purge.anchor_hash
        ):
            purge_event_seen = True
        prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev):
        if head.last_seq >= expected_seq:
            gap = f"#{expected_seq}..#{head.last_seq}"
            problem = f"event(s) {gap} missing at the end of the chain (the head records #{head.last_seq})"
        else:
            problem = f"the chain head (#{head.last_seq}) does not match the last event (#{expected_seq - 1})"
        return VerifyResult(False, checked, problem, None, expected_seq)
    if not purge_event_seen and purge is not None:
        return VerifyResult(
            False,
            checked,
            f"the purge checkpoint at #{purge.anchor_seq} has no matching {PURGE_OPERATION_ID} "
            "event in the chain: events were removed outside purge_audit",
            None,
            purge.anchor_seq,
        )
    from .head import published_head_problem

    problem = published_head_problem(published, last_seq=expected_seq - 1, anchor=purge)
    if problem:
        return VerifyResult(False, checked, problem, None, None)
    return VerifyResult(True, checked)
