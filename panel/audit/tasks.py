"""Periodic retention: beat runs `purge_expired_events` (see `CELERY_BEAT_SCHEDULE["audit-purge"]`)."""

from __future__ import annotations

import datetime as dt

import structlog
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .purge import PurgeRefused, purge_older_than

logger = structlog.get_logger(__name__)


@shared_task(name="panel.audit.tasks.purge_expired_events", ignore_result=True, acks_late=False)
def purge_expired_events() -> int:
    """Remove events older than AUDIT_RETENTION_DAYS; returns how many were removed.

    A broken chain is not purged (that would erase the evidence): the task logs an error and
    leaves everything in place until someone looks with `verify_audit_chain`.
    """
    days = settings.AUDIT_RETENTION_DAYS
    if days <= 0:
        return 0
    try:
        result = purge_older_than(timezone.now() - dt.timedelta(days=days), reason="scheduled retention")
    except PurgeRefused as exc:
        logger.error("audit_purge_refused", problem=str(exc))
        return 0
    if result.purged:
        logger.info("audit_purged", purged=result.purged, anchor_seq=result.anchor_seq)
    return result.purged
