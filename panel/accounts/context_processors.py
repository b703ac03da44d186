"""Template context for every page: the current team, the person's role in it, their teams."""
from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Team


def team(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)

    def teams() -> list[Team]:
        if user is None or not user.is_authenticated:
            return []
        return list(Team.objects.filter(memberships__user=user).order_by("name"))

    return {
        "current_team": getattr(request, "team", None),
        "current_membership": getattr(request, "membership", None),
        "user_teams": SimpleLazyObject(teams),
    }
