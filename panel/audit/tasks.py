"""Beat's audit tasks: retention (`purge_expired_events`), publishing the head (`publish_chain_head`)."""

from __future__ import annotations

import datetime as dt

import structlog
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .head import publish_head
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


@shared_task(name="panel.audit.tasks.publish_chain_head", ignore_result=True, acks_late=False)
def publish_chain_head() -> int | None:
    """Publish the chain head outside the database (log line and `AUDIT_HEAD_FILE`); its seq, or None.

    Scheduled every AUDIT_HEAD_PUBLISH_INTERVAL seconds: what `verify_audit_chain` compares with.
    """
    head = publish_head()
    return head.seq if head is not None else None
