"""In-panel notices of the guardrails: shown once on the member's next page, like operations' results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from panel.accounts.second_factor import needs_second_factor

from .models import Notice

LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "error": messages.ERROR}


def notices(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    team = getattr(request, "team", None)
    if user is None or not user.is_authenticated or team is None or getattr(request, "htmx", False):
        return {}
    if needs_second_factor(request):  # not before the second factor: shown once the person is in
        return {}
    unread = list(Notice.objects.filter(user=user, team=team, read_at__isnull=True)[:10])
    if unread:
        for note in reversed(unread):
            text = (
                format_html('{} <a href="{}">Open</a>', note.message, note.url) if note.url else note.message
            )
            messages.add_message(request, LEVELS.get(note.level, messages.INFO), text)
        Notice.objects.filter(pk__in=[n.pk for n in unread]).update(read_at=timezone.now())
    return {}
