"""The request the panel's views see: Django's, plus what the panel's middleware sets on it.

For type checkers only (django-htmx recommends the same): nothing is ever instantiated from these
classes; a view annotates its request with one of them, so `request.membership` or
`request.user.time_zone` are checked instead of being `Any` or an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from .models import Membership, Team, User

__all__ = ["PanelRequest", "SignedInRequest", "TeamRequest"]


class PanelRequest(HttpRequest):
    """After `CurrentTeamMiddleware` and django-htmx's middleware: the team chosen in the session
    and the person's membership in it (both None when anonymous or in no team), and `htmx`."""

    team: Team | None
    membership: Membership | None
    htmx: HtmxDetails


class SignedInRequest(PanelRequest):
    """A request of a signed-in person (behind `login_required` or the panel's own decorators)."""

    user: User


class TeamRequest(SignedInRequest):
    """A request behind `team_permission_required`: the person has a team and a membership in it."""

    team: Team
    membership: Membership
