"""Background work of the guardrails: the webhook POST, and marking held requests that expired."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="panel.guardrails.tasks.post_webhook", ignore_result=True)
def post_webhook(team_id: int, payload: dict[str, Any]) -> int | None:
    from .notify import post

    return post(team_id, payload)


@shared_task(name="panel.guardrails.tasks.expire_approvals", ignore_result=True)
def expire_approvals() -> int:
    """Held requests past their expiry become expired (the pages and the API say so anyway)."""
    from .approvals import expire_due

    return expire_due()
