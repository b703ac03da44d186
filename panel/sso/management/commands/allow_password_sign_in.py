"""Break-glass: turn password sign-in back on for a team whose identity provider is unreachable.

Owners can only turn passwords off while an owner signs in with the provider; if the provider
itself goes away, whoever runs the server restores the way in (and the audit log says so).
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from panel.accounts.models import Team
from panel.audit import recorder as audit
from panel.sso.models import TeamSignIn
from panel.sso.services import SETTINGS_CHANGED


class Command(BaseCommand):
    help = "Let the members of a team sign in with their password again (TEAM is its slug)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("team", help="the team's slug, as in its URL")

    def handle(self, *args: object, **options: object) -> None:
        team = Team.objects.filter(slug=str(options["team"])).first()
        if team is None:
            raise CommandError(f"No team with the slug {options['team']!r}.")
        updated = TeamSignIn.objects.filter(team=team, password_sign_in=False).update(password_sign_in=True)
        if not updated:
            self.stdout.write(f"{team.name}: password sign-in was already on.")
            return
        audit.record(actor=None, actor_label="server administrator (manage.py)", team=team,
                     operation_id=SETTINGS_CHANGED, outcome=audit.Outcome.OK,
                     params={"password_sign_in": True}, target_type="team", target_id=team.pk,
                     target_label=team.name)
        self.stdout.write(f"{team.name}: members may sign in with their password again.")
