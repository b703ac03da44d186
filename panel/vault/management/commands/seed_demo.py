"""Create the demo data: a team, one person per role, and the simulator's demo tokens.

Idempotent: a second run changes nothing and prints the same login. The generated password is
kept in `<VAR_DIR>/demo-login.txt` (mode 0600) because the demo must print it on every start;
this is for demo mode only — a real installation creates its people through sign-up/invitations.

Tokens are saved through the same service as the token page, so they are checked with VPSBG
(the bundled simulator in demo mode) when it answers; with `--no-check`, or when it is not
reachable yet, they are stored unchecked and the periodic check verifies them later.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from panel.accounts.models import Membership, Team
from panel.accounts.roles import Role
from panel.services import tokens as token_services
from panel.services.demo import demo_tokens
from panel.vault.models import ApiToken

TEAM_NAME = "Demo team"
TEAM_SLUG = "demo-team"
OWNER_EMAIL = "demo@example.com"
MEMBERS = [
    (OWNER_EMAIL, Role.OWNER, "Demo Owner"),
    ("admin@example.com", Role.ADMIN, "Demo Admin"),
    ("operator@example.com", Role.OPERATOR, "Demo Operator"),
    ("billing@example.com", Role.BILLING, "Demo Billing"),
    ("viewer@example.com", Role.VIEWER, "Demo Viewer"),
]
LOGIN_FILE_NAME = "demo-login.txt"


def login_file() -> Path:
    return Path(settings.VAR_DIR) / LOGIN_FILE_NAME


def _read_password(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "password" and value.strip():
            return value.strip()
    return None


def _write_password(path: Path, password: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    content = (
        "# Demo login of the VPSBG panel (demo mode only). Delete this file to get a new password\n"
        "# on the next `manage.py seed_demo`.\n"
        f"email={OWNER_EMAIL}\n"
        f"password={password}\n"
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(path, 0o600)


class Command(BaseCommand):
    help = "Create (or keep) the demo team, its members and the simulator's demo tokens; print the login."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-check",
            action="store_true",
            help="Store the demo tokens without checking them with VPSBG (the simulator).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = login_file()
        password = _read_password(path)
        if password is None:
            password = secrets.token_urlsafe(12)
            _write_password(path, password)
        else:
            os.chmod(path, 0o600)

        with transaction.atomic():
            team, _ = Team.objects.get_or_create(slug=TEAM_SLUG, defaults={"name": TEAM_NAME})
            owner_membership = None
            for email, role, full_name in MEMBERS:
                membership = self._member(team, email, role, full_name, password)
                if role == Role.OWNER:
                    owner_membership = membership
        assert owner_membership is not None

        check = not options["no_check"]
        results = [self._token(owner_membership, spec, check=check) for spec in demo_tokens()]

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo team “{team.name}” is ready."))
        self.stdout.write(f"  Sign in as:  {OWNER_EMAIL}")
        self.stdout.write(f"  Password:    {password}")
        others = ", ".join(f"{email} ({role.label})" for email, role, _ in MEMBERS if email != OWNER_EMAIL)
        self.stdout.write(f"  Same password for: {others}")
        self.stdout.write(f"  (kept in {path})")
        for line in results:
            self.stdout.write(f"  Token {line}")

    def _member(self, team: Team, email: str, role: Role, full_name: str, password: str) -> Membership:
        user_model = get_user_model()
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model.objects.create_user(email=email, password=password, full_name=full_name)
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        membership, created = Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        return membership

    def _token(self, actor: Membership, spec: Any, *, check: bool) -> str:
        existing = ApiToken.objects.filter(team=actor.team, name=spec.name).first()
        if existing is not None:
            return f"“{spec.name}”: kept ({existing.get_status_display()})."
        try:
            token = token_services.add_token(
                actor=actor, name=spec.name, scope=spec.scope, secret=spec.secret, check=check
            )
        except token_services.TokenError as exc:
            if isinstance(exc, token_services.TokenNameTaken):
                raise
            token = token_services.add_token(
                actor=actor, name=spec.name, scope=spec.scope, secret=spec.secret, check=False
            )
            self.stderr.write(
                self.style.WARNING(
                    f"Token “{spec.name}” stored unchecked: {exc.message} "
                    f"(VPSBG_API_URL={settings.VPSBG_API_URL}). The periodic check will verify it."
                )
            )
        account = token.account_label or "account not checked"
        return f"“{token.name}”: saved ({token.get_status_display()}, {account})."
