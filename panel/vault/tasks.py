"""Celery tasks of the vault: the periodic check of every token (beat) and a one-token check.

Tasks receive token ids only, never a secret: the broker and the result backend may be read by
anyone with access to Redis, and task arguments end up in logs and monitoring tools.
"""
from __future__ import annotations

from celery import shared_task

from panel.services import tokens as token_services


@shared_task(name="panel.vault.tasks.check_tokens", ignore_result=True)
def check_tokens() -> dict[str, int]:
    """Check every token and flag revoked (401) or failing ones; one bad token never stops the rest."""
    return token_services.check_all_tokens()


@shared_task(name="panel.vault.tasks.check_token", ignore_result=True)
def check_token(token_id: int) -> str | None:
    """Check one token by id (e.g. right after a 401 elsewhere)."""
    return token_services.check_token(int(token_id))
