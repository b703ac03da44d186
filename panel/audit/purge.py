"""Retention: remove the oldest events while keeping the rest of the chain verifiable.

Only a prefix of the chain is ever removed (every event before the first one that is still within
retention), and a checkpoint (`AuditPurge`) keeps the sequence number and hash of the last removed
event: the verifier starts from it. The purge refuses to run on a chain that does not verify, since
removing rows would erase the evidence. The purge itself is recorded as an `audit.purge` event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from . import chain
from .chain import PURGE_OPERATION_ID
from .models import AuditEvent, AuditPurge, Outcome

__all__ = ["PURGE_OPERATION_ID", "PurgeRefused", "PurgeResult", "purge_older_than"]


class PurgeRefused(Exception):
    """The chain is broken; purging now would destroy the evidence."""


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime
    purged: int
    first_seq: int | None = None
    anchor_seq: int | None = None
    anchor_hash: str = ""
    dry_run: bool = False


def purge_older_than(cutoff: dt.datetime, *, dry_run: bool = False, reason: str = "") -> PurgeResult:
    """Remove events created before `cutoff` (a contiguous prefix of the chain)."""
    if timezone.is_naive(cutoff):
        raise ValueError("cutoff must be timezone-aware.")
    with transaction.atomic():
        chain.lock_head()
        check = chain.verify()
        if not check.ok:
            raise PurgeRefused(f"the audit chain does not verify: {check.problem}")
        events = AuditEvent.objects.all()
        kept = events.filter(created_at__gte=cutoff).order_by("seq")
        first_kept = kept.values_list("seq", flat=True).first()
        doomed = events if first_kept is None else events.filter(seq__lt=first_kept)
        last = doomed.order_by("-seq").only("seq", "hash").first()
        if last is None:
            return PurgeResult(cutoff=cutoff, purged=0, dry_run=dry_run)
        first_seq = doomed.order_by("seq").values_list("seq", flat=True).first()
        assert first_seq is not None  # `last` exists, so a first one does
        count = doomed.count()
        if dry_run:
            return PurgeResult(cutoff, count, first_seq, last.seq, last.hash, dry_run=True)
        AuditPurge.objects.create(
            created_at=timezone.now(),
            cutoff=cutoff,
            purged_count=count,
            first_seq=first_seq,
            anchor_seq=last.seq,
            anchor_hash=last.hash,
        )
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL audit.allow_purge = 'on'")
            cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [last.seq])  # noqa: S608 - quoted name
            deleted = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL audit.allow_purge = 'off'")
        if deleted != count:
            raise RuntimeError(f"purge removed {deleted} events, expected {count}; rolled back.")
        from .recorder import record

        record(
            operation_id=PURGE_OPERATION_ID,
            actor_label="system (purge_audit)",
            target_type="audit_log",
            target_label=f"events #{first_seq}..#{last.seq}",
            params={
                "cutoff": cutoff.isoformat(),
                "purged": count,
                "first_seq": first_seq,
                "anchor_seq": last.seq,
                "anchor_hash": last.hash,
            },
            outcome=Outcome.OK,
            reason=reason,
        )
    return PurgeResult(cutoff, count, first_seq, last.seq, last.hash)
