"""`manage.py purge_audit`: remove audit events older than the retention, keeping the chain verifiable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from panel.audit.purge import PurgeRefused, purge_older_than


class Command(BaseCommand):
    help = (
        "Delete audit events older than AUDIT_RETENTION_DAYS (or --days), leaving a checkpoint so "
        "verify_audit_chain still verifies what remains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override AUDIT_RETENTION_DAYS.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would be removed.")
        parser.add_argument("--reason", default="", help="Why, kept in the audit.purge event.")

    def handle(self, *args: Any, days: int | None, dry_run: bool, reason: str, **options: Any) -> None:
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days must be 0 (keep everything) or more.")
        if days == 0:
            self.stdout.write("retention is 0 (keep forever): nothing purged")
            return
        cutoff = timezone.now() - dt.timedelta(days=days)
        try:
            result = purge_older_than(cutoff, dry_run=dry_run, reason=reason)
        except PurgeRefused as exc:
            raise CommandError(f"refused: {exc}", returncode=1) from exc
        if result.purged == 0:
            self.stdout.write(f"nothing older than {cutoff:%Y-%m-%d %H:%M} UTC")
        elif dry_run:
            self.stdout.write(
                f"would purge {result.purged} events (#{result.first_seq}..#{result.anchor_seq}) "
                f"older than {cutoff:%Y-%m-%d %H:%M} UTC"
            )
        else:
            self.stdout.write(
                f"purged {result.purged} events (#{result.first_seq}..#{result.anchor_seq}); "
                f"the chain now starts from hash {result.anchor_hash}"
            )
