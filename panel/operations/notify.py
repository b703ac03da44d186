"""Telling the actor how an operation ended: in the panel always, by e-mail and team webhook when set.

`notify_end` runs inside the transaction that ends the operation (so the in-panel notification
commits with the end state); e-mail and webhook go out only after that commit, and their failure
is logged, never turned into a failed operation.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification, Operation, State, TeamWebhook

logger = logging.getLogger(__name__)

LEVELS: dict[str, str] = {State.SUCCEEDED: "success", State.CANCELLED: "warning", State.FAILED: "error"}


def summary(op: Operation) -> str:
    outcome: dict[str, str] = {
        State.SUCCEEDED: "succeeded",
        State.CANCELLED: "was cancelled",
        State.FAILED: "failed",
    }
    text = f"{op.label} of {op.target_label or op.target_id} {outcome.get(op.state, op.state)}"
    if op.error and op.state != State.SUCCEEDED:
        return f"{text}: {op.error}"
    if op.state == State.SUCCEEDED and op.step and op.step != "Done":  # e.g. "already paid"
        return f"{text}: {op.step}"
    return f"{text}."


def payload(op: Operation) -> dict[str, Any]:
    """What the webhook receives (no parameters: they may name things the receiver should not see)."""
    return {
        "operation": op.pk,
        "kind": op.kind,
        "team": op.team.slug,
        "state": op.state,
        "target": op.target_id,
        "error": op.error,
        "finished_at": op.finished_at.isoformat() if op.finished_at else None,
        "url": op.get_absolute_url(),
    }


def notify_end(op: Operation) -> None:
    message = summary(op)[:1000]
    if op.actor_id is not None:
        Notification.objects.create(
            user_id=op.actor_id,
            team_id=op.team_id,
            operation=op,
            level=LEVELS.get(op.state, "info"),
            message=message,
        )
    transaction.on_commit(lambda: _send_outside(op.pk))


def _send_outside(operation_id: int) -> None:
    op = Operation.objects.select_related("actor", "team").filter(pk=operation_id).first()
    if op is None:
        return
    if getattr(settings, "OPERATIONS_NOTIFY_EMAIL", False) and op.actor is not None and op.actor.email:
        try:
            send_mail(
                subject=f"[VPSBG panel] {summary(op)[:150]}",
                message=f"{summary(op)}\n\nDetails: {op.get_absolute_url()}\n",
                from_email=None,
                recipient_list=[op.actor.email],
                fail_silently=False,
            )
        except Exception:
            logger.exception("operations.email_failed", extra={"operation": op.pk})
    if TeamWebhook.objects.filter(team_id=op.team_id, active=True).exists():
        from .tasks import post_webhook

        try:
            post_webhook.apply_async(args=[op.pk], queue="default")
        except Exception:
            logger.exception("operations.webhook_enqueue_failed", extra={"operation": op.pk})


def post(op: Operation, timeout: float = 10.0) -> int | None:
    """POST the end of `op` to its team's webhook; returns the HTTP status (None: not sent)."""
    import requests

    hook = TeamWebhook.objects.filter(team_id=op.team_id, active=True).first()
    if hook is None:
        return None
    try:
        response = requests.post(hook.url, json=payload(op), timeout=timeout)
    except requests.RequestException as exc:
        logger.warning("operations.webhook_failed", extra={"operation": op.pk, "error": str(exc)[:200]})
        return None
    return response.status_code
