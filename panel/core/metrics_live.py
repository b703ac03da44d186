"""Gauges of the present state, read at scrape time from the database and the broker.

Operations waiting, queue depth, heartbeat and beat age, tokens by status: each is a fact that
lives in a shared store, so it is read from there when Prometheus asks, instead of being kept as
a per-process gauge that dies with its process (docs/monitoring.md says more). A store that does
not answer turns `panel_metrics_source_up{source}` to 0 and its gauges are left out; the scrape
itself never fails.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

Now = Callable[[], datetime]


def _age(now: datetime, then: datetime | None) -> float:
    """Seconds since `then`; +Inf when it never happened (so `> N` alerts fire on a fresh install)."""
    return max((now - then).total_seconds(), 0.0) if then is not None else math.inf


def operation_gauges(now: datetime) -> Iterator[GaugeMetricFamily]:
    from panel.operations.models import ACTIVE_STATES, Operation

    active = GaugeMetricFamily(
        "panel_operations_active",
        "Operations not ended yet, by kind and state (queued, running, waiting for VPSBG).",
        labels=["kind", "state"],
    )
    rows = Operation.objects.filter(state__in=ACTIVE_STATES).values("kind", "state").annotate(n=Count("pk"))
    for row in rows.order_by("kind", "state"):
        active.add_metric([row["kind"], row["state"]], row["n"])
    yield active
    oldest = Operation.objects.filter(state__in=ACTIVE_STATES).aggregate(at=Min("created_at"))["at"]
    yield GaugeMetricFamily(
        "panel_operations_oldest_active_age_seconds",
        "Age of the oldest operation not ended yet (0 when none).",
        value=_age(now, oldest) if oldest is not None else 0.0,
    )


def worker_gauges(now: datetime) -> Iterator[GaugeMetricFamily]:
    from django_celery_beat.models import PeriodicTask

    from panel.core.models import WorkerHeartbeat

    seen = WorkerHeartbeat.objects.aggregate(at=Max("seen_at"))["at"]
    yield GaugeMetricFamily(
        "panel_worker_heartbeat_age_seconds",
        "Seconds since the newest worker heartbeat (+Inf when no worker ever reported).",
        value=_age(now, seen),
    )
    ran = PeriodicTask.objects.filter(enabled=True).aggregate(at=Max("last_run_at"))["at"]
    yield GaugeMetricFamily(
        "panel_beat_last_run_age_seconds",
        "Seconds since beat last sent a scheduled task, as beat saved it (it saves every few minutes).",
        value=_age(now, ran),
    )


def token_gauges(now: datetime) -> Iterator[GaugeMetricFamily]:
    from panel.vault.models import ApiToken, TokenStatus

    tokens = GaugeMetricFamily(
        "panel_vpsbg_tokens", "Stored VPSBG tokens by status of their last check.", labels=["status"]
    )
    counts = dict(ApiToken.objects.values_list("status").annotate(n=Count("pk")).order_by())
    for status in TokenStatus.values:
        tokens.add_metric([status], counts.get(status, 0))
    yield tokens


def queue_names() -> list[str]:
    """The Celery queues the panel routes tasks to (default first)."""
    names = [settings.CELERY_TASK_DEFAULT_QUEUE]
    for route in settings.CELERY_TASK_ROUTES.values():
        queue = route.get("queue") if isinstance(route, dict) else None
        if queue and queue not in names:
            names.append(queue)
    return names


def queue_gauges(now: datetime) -> Iterator[GaugeMetricFamily]:
    from kombu import Connection

    from panel.core.health import broker_settings

    url, options = broker_settings()
    depth = GaugeMetricFamily(
        "panel_celery_queue_length", "Messages waiting in each Celery queue.", labels=["queue"]
    )
    with Connection(url, transport_options=options, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        channel = conn.default_channel
        for queue in queue_names():
            # A declare is harmless on Redis and on the filesystem transport, and answers the size.
            depth.add_metric([queue], channel.queue_declare(queue=queue).message_count)
    yield depth


SOURCES: dict[str, Callable[[datetime], Iterator[GaugeMetricFamily]]] = {
    "operations": operation_gauges,
    "workers": worker_gauges,
    "tokens": token_gauges,
    "broker": queue_gauges,
}


class LiveStateCollector(Collector):
    """Reads every source once per scrape; one failing source never hides the others."""

    def __init__(self, now: Now = timezone.now) -> None:
        self.now = now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "panel_metrics_source_up",
            "1 when the scrape could read this source (database tables or the broker), else 0.",
            labels=["source"],
        )
        now = self.now()
        for name, source in SOURCES.items():
            try:
                families = list(source(now))
            except Exception as exc:  # a down store is itself the news: report it, keep scraping
                logger.warning("metrics.source_failed", extra={"source": name, "error": type(exc).__name__})
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up
