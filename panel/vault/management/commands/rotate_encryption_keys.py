"""Re-encrypt every vault secret under the first key of `PANEL_ENCRYPTION_KEYS`.

Key rotation, step by step (also in the README):
  1. generate a new key; put it FIRST in PANEL_ENCRYPTION_KEYS, keep the old one after it;
  2. restart the web, worker and beat processes (they can all read old and new secrets now);
  3. run `python manage.py rotate_encryption_keys`;
  4. remove the old key from PANEL_ENCRYPTION_KEYS and restart again.

All or nothing: every secret is decrypted first; if one cannot be (its key is no longer
configured), the command names the token ids and changes nothing. Running it twice is harmless:
secrets already under the first key are left as they are.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from panel.vault import crypto
from panel.vault.models import ApiToken

BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Re-encrypt every stored VPSBG token under the first key of PANEL_ENCRYPTION_KEYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be re-encrypted; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        crypto.get_fernet()  # fail early and clearly on a misconfigured key list
        dry_run: bool = options["dry_run"]
        with transaction.atomic():
            tokens = list(ApiToken.objects.select_for_update().order_by("pk").only("pk", "secret_encrypted"))
            undecryptable: list[int] = []
            to_rotate: list[ApiToken] = []
            for token in tokens:
                if not crypto.needs_rotation(token.secret_encrypted):
                    continue
                try:
                    token.secret_encrypted = crypto.rotate(token.secret_encrypted)
                except crypto.SecretUndecryptable:
                    undecryptable.append(token.pk)
                else:
                    to_rotate.append(token)
            if undecryptable:
                ids = ", ".join(f"#{pk}" for pk in undecryptable)
                raise CommandError(
                    f"{len(undecryptable)} token(s) cannot be decrypted with the configured keys: {ids}. "
                    "Nothing was changed. Add back the key they were encrypted with (after the new "
                    "one) and run this command again, or replace those tokens' secrets."
                )
            if not dry_run:
                ApiToken.objects.bulk_update(to_rotate, ["secret_encrypted"], batch_size=BATCH_SIZE)
        current = len(tokens) - len(to_rotate)
        verb = "Would re-encrypt" if dry_run else "Re-encrypted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {len(to_rotate)} secret(s) under the first key; "
                f"{current} already used it ({len(tokens)} in total)."
            )
        )
        if not dry_run:
            self.stdout.write(
                "Every secret now decrypts with the first key alone: the other keys can be removed "
                "from PANEL_ENCRYPTION_KEYS."
            )
