"""`manage.py verify_audit_chain`: recompute every hash and report the first broken event.

Also checks the chain still holds the head published outside the database (`AUDIT_HEAD_FILE`, or
one given with `--published-head SEQ:HASH`, e.g. from an `audit_chain_head` log line).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from panel.audit.chain import verify
from panel.audit.head import HeadFileError, head_file, parse_head, read_published_head
from panel.audit.models import AuditChainHead


class Command(BaseCommand):
    help = "Verify the audit log hash chain; exit code 1 and the first broken event when it fails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000, help="Rows fetched per query.")
        parser.add_argument(
            "--published-head",
            metavar="SEQ:HASH",
            help="Compare with this head (from an audit_chain_head log line) instead of AUDIT_HEAD_FILE.",
        )

    def handle(self, *args: Any, chunk_size: int, published_head: str | None = None, **options: Any) -> None:
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        try:
            published = parse_head(published_head) if published_head else read_published_head()
        except (ValueError, HeadFileError) as exc:
            raise CommandError(f"{exc}.", returncode=1) from None
        result = verify(chunk_size=chunk_size, published=published)
        if not result.ok:
            where = f" (event id {result.event_id})" if result.event_id is not None else ""
            raise CommandError(
                f"broken{where} after {result.checked} good events: {result.problem}", returncode=1
            )
        self.stdout.write(f"ok: {result.checked} events verified")
        if published is not None:
            self.stdout.write(f"published head {published} is in the chain")
        else:
            where = str(head_file() or "AUDIT_HEAD_FILE is empty")
            self.stdout.write(f"no published head to compare with yet ({where})")
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is not None and head.last_seq:
            # Worth noting down outside the database: a later rewrite of the whole chain shows here.
            self.stdout.write(f"head: #{head.last_seq} {head.last_hash}")
