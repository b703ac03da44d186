"""`GET /metrics`: the Prometheus text format, for a scraper with the token or from allowed addresses.

With neither `METRICS_TOKEN` nor `METRICS_ALLOWED_IPS` configured the URL answers 404, as if it
did not exist; otherwise a request without the token from another address gets 401 (token
configured) or 403. Who may: `panel.core.metrics_access`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from panel.core import metrics
from panel.core.metrics_access import scrape_allowed
from panel.core.metrics_live import LiveStateCollector


class _InProcess:
    """This process's own series, when no multiprocess folder is set (tests, `runserver`)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def exposition() -> bytes:
    """Every series: the counters of all processes (or of this one) and the live gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if metrics.MULTIPROC_DIR:
        MultiProcessCollector(registry, path=metrics.MULTIPROC_DIR)
    else:
        registry.register(_InProcess())
    registry.register(LiveStateCollector())
    return generate_latest(registry)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The scrape; refused without the token or an allowed address, 404 when not configured."""
    token: str = settings.METRICS_TOKEN
    if not token and not settings.METRICS_ALLOWED_IPS:
        raise Http404("/metrics is off: set METRICS_TOKEN or METRICS_ALLOWED_IPS.")
    allowed = scrape_allowed(
        authorization=request.headers.get("Authorization", ""),
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        token=token,
        networks=settings.METRICS_ALLOWED_IPS,
    )
    if allowed:
        return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    if token:
        response = HttpResponse("A valid bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse("Not allowed from this address.\n", status=403, content_type="text/plain")
