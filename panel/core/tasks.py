"""Core periodic tasks."""

from __future__ import annotations

import socket

import structlog
from celery import shared_task
from django.utils import timezone

from panel.core.models import WorkerHeartbeat

logger = structlog.get_logger(__name__)


@shared_task(name="panel.core.tasks.heartbeat", ignore_result=True, acks_late=False)
def heartbeat() -> str:
    """Record that a worker just consumed a message (scheduled by beat every HEARTBEAT_INTERVAL).

    Acked early and expiring: a missed heartbeat is simply replaced by the next one.
    """
    hostname = heartbeat.request.hostname or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"seen_at": timezone.now()})
    logger.debug("heartbeat", worker=hostname)
    return hostname
