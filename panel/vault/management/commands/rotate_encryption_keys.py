"""Re-encrypt every secret under the first key of `PANEL_ENCRYPTION_KEYS`; refresh token fingerprints.

The secrets are the vault's VPSBG tokens and the people's authenticator (TOTP) keys. Key rotation,
step by step (also in the README):
  1. generate a new key; put it FIRST in PANEL_ENCRYPTION_KEYS, keep the old one after it;
  2. restart the web, worker and beat processes (they can all read old and new secrets now);
  3. run `python manage.py rotate_encryption_keys`;
  4. remove the old key from PANEL_ENCRYPTION_KEYS and restart again.
The same run recomputes each token's fingerprint under the first key of VAULT_FINGERPRINT_KEYS,
so a rotated fingerprint key can be dropped the same way.

All or nothing: every secret is decrypted first; if one cannot be (its key is no longer
configured), the command names the rows and changes nothing. Running it twice is harmless:
secrets already under the first key are left as they are.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from panel.accounts.models import EncryptedTOTPDevice
from panel.vault import crypto
from panel.vault.models import ApiToken

BATCH_SIZE = 500

# (what a person calls it, model, encrypted field)
ENCRYPTED: tuple[tuple[str, type[models.Model], str], ...] = (
    ("token", ApiToken, "secret_encrypted"),
    ("authenticator key", EncryptedTOTPDevice, "key_encrypted"),
)


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored VPSBG token and authenticator key under the first key of "
        "PANEL_ENCRYPTION_KEYS, and refresh the tokens' fingerprints."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be re-encrypted; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        crypto.get_fernet()  # fail early and clearly on a misconfigured key list
        dry_run: bool = options["dry_run"]
        total = rotated = refreshed = 0
        with transaction.atomic():
            undecryptable: list[str] = []
            changes: list[tuple[type[models.Model], list[models.Model], list[str]]] = []
            for label, model, field in ENCRYPTED:
                extra = ["secret_fingerprint"] if model is ApiToken else []
                found = model._default_manager.select_for_update().order_by("pk")
                rows = list(found.only("pk", field, *extra))
                total += len(rows)
                changed: list[models.Model] = []
                for row in rows:
                    try:
                        row_changed = self._rotate(row, field)
                        rotated += row_changed
                        if extra:
                            fresh = crypto.fingerprint(crypto.decrypt(getattr(row, field)))
                            if fresh != row.secret_fingerprint:  # type: ignore[attr-defined]
                                row.secret_fingerprint = fresh  # type: ignore[attr-defined]
                                refreshed += 1
                                row_changed = True
                    except crypto.SecretUndecryptable:
                        undecryptable.append(f"{label} #{row.pk}")
                        continue
                    if row_changed:
                        changed.append(row)
                changes.append((model, changed, [field, *extra]))
            if undecryptable:
                raise CommandError(
                    f"{len(undecryptable)} secret(s) cannot be decrypted with the configured keys: "
                    f"{', '.join(undecryptable)}. Nothing was changed. Add back the key they were "
                    "encrypted with (after the new one) and run this command again, or replace those "
                    "secrets (a token's on the Tokens page; an authenticator by setting it up again)."
                )
            if not dry_run:
                for model, changed, fields in changes:
                    model._default_manager.bulk_update(changed, fields, batch_size=BATCH_SIZE)
        verb = "Would re-encrypt" if dry_run else "Re-encrypted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {rotated} secret(s) under the first key; "
                f"{total - rotated} already used it ({total} in total)."
            )
        )
        if refreshed:
            verb = "Would refresh" if dry_run else "Refreshed"
            self.stdout.write(f"{verb} {refreshed} token fingerprint(s) under the first fingerprint key.")
        if not dry_run:
            self.stdout.write(
                "Every secret now decrypts with the first key alone: the other keys can be removed "
                "from PANEL_ENCRYPTION_KEYS (and from VAULT_FINGERPRINT_KEYS)."
            )

    @staticmethod
    def _rotate(row: models.Model, field: str) -> bool:
        """Re-encrypt `row.field` under the first key when it needs it; True when it changed."""
        value = getattr(row, field)
        if not crypto.needs_rotation(value):
            return False
        setattr(row, field, crypto.rotate(value))
        return True
