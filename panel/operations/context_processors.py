"""In-panel notifications: an operation's result is shown to its actor on the next page they open."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone

from .models import Notification

LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "error": messages.ERROR}


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    team = getattr(request, "team", None)
    if user is None or not user.is_authenticated or team is None or getattr(request, "htmx", False):
        return {}
    unread = list(Notification.objects.filter(user=user, team=team, read_at__isnull=True)[:10])
    if unread:
        for note in reversed(unread):
            messages.add_message(request, LEVELS.get(note.level, messages.INFO), note.message)
        Notification.objects.filter(pk__in=[n.pk for n in unread]).update(read_at=timezone.now())
    return {}
