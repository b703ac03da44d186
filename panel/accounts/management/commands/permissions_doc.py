"""Write docs/permissions.md from the permission table (or `--check` that it is current)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from panel.accounts.permissions_doc import render_permissions_doc


class Command(BaseCommand):
    help = "Generate docs/permissions.md from panel/accounts/permissions.py."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "permissions.md"))
        parser.add_argument("--check", action="store_true", help="Fail if the file is not current.")

    def handle(self, *args: object, output: str, check: bool, **options: object) -> None:
        path = Path(output)
        text = render_permissions_doc()
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is stale: run `python manage.py permissions_doc`.")
            self.stdout.write(f"{path} is current.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
