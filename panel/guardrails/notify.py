"""Telling people about guardrails: in the panel (a `Notice` shown on their next page), by e-mail,
and by the team's webhook (the one operations use, `TeamWebhook`).

Notices commit with the change they announce; e-mail and webhook go out after the commit, and
their failure is logged, never turned into a failed decision.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db import transaction

from panel.operations.models import TeamWebhook

from .models import Notice

logger = logging.getLogger(__name__)

__all__ = ["post", "tell"]


def tell(
    users: Iterable[Any], team: Any, message: str, *, url: str = "", level: str = "info", event: str = ""
) -> None:
    """Tell `users` (in the panel and by e-mail) and the team's webhook (`event` names it)."""
    people = {user.pk: user for user in users if user is not None}
    text = message[:1000]
    Notice.objects.bulk_create(
        Notice(user_id=pk, team=team, level=level, message=text, url=url[:500]) for pk in people
    )
    emails = sorted({user.email for user in people.values() if getattr(user, "email", "")})
    payload = {"event": event or "guardrails", "team": team.slug, "message": text, "url": url}
    transaction.on_commit(lambda: _send_outside(emails, text, url, team.pk, payload))


def _send_outside(emails: list[str], message: str, url: str, team_id: int, payload: dict[str, Any]) -> None:
    for email in emails:
        try:
            send_mail(
                subject=f"[VPSBG panel] {message[:150]}",
                message=f"{message}\n\n{('Open: ' + url) if url else ''}\n",
                from_email=None,
                recipient_list=[email],
                fail_silently=False,
            )
        except Exception:
            logger.exception("guardrails.email_failed")
    if TeamWebhook.objects.filter(team_id=team_id, active=True).exists():
        from .tasks import post_webhook

        try:
            post_webhook.apply_async(args=[team_id, payload], queue="default")
        except Exception:
            logger.exception("guardrails.webhook_enqueue_failed")


def post(team_id: int, payload: dict[str, Any], timeout: float = 10.0) -> int | None:
    """POST `payload` to the team's webhook; the HTTP status (None: not sent)."""
    import requests

    hook = TeamWebhook.objects.filter(team_id=team_id, active=True).first()
    if hook is None:
        return None
    try:
        response = requests.post(hook.url, json=payload, timeout=timeout)
    except requests.RequestException as exc:
        logger.warning("guardrails.webhook_failed", extra={"error": str(exc)[:200]})
        return None
    return response.status_code
