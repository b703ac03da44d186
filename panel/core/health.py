"""Checks behind /healthz: database, cache, broker, a recent worker heartbeat, the VPSBG API URL.

Each check returns a small dict with `ok`; a failure names its cause in one line (never secrets).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from panel.core.models import WorkerHeartbeat

Check = Callable[[], dict[str, object]]


def _failure(exc: BaseException) -> dict[str, object]:
    return {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:200]}"}


def check_database() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failure(exc)
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict[str, object]:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return _failure(exc)
    if value != "1":
        return {"ok": False, "error": "cache did not return the value just written"}
    return {"ok": True}


def broker_settings() -> tuple[str, dict[str, object]]:
    from panel.celery import app

    return app.conf.broker_url or "", dict(app.conf.broker_transport_options or {})


def check_broker() -> dict[str, object]:
    """Open (and close) a broker connection; for the filesystem broker, check its folder is writable."""
    from kombu import Connection

    url, options = broker_settings()
    if url.startswith("filesystem://"):
        folder = str(options.get("data_folder_in", ""))
        if not folder or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            return {"ok": False, "error": f"broker folder is missing or not writable ({folder or 'unset'})"}
        return {"ok": True, "transport": "filesystem"}
    try:
        with Connection(url, transport_options=options, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport.driver_name
    except Exception as exc:
        return _failure(exc)
    return {"ok": True, "transport": str(transport)}


def check_worker(now: Callable[[], datetime] = timezone.now) -> dict[str, object]:
    max_age = settings.HEALTHZ_HEARTBEAT_MAX_AGE
    try:
        last = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except Exception as exc:
        return _failure(exc)
    if last is None:
        return {"ok": False, "error": "no worker heartbeat yet", "max_age": max_age}
    age = (now() - last.seen_at).total_seconds()
    result: dict[str, object] = {
        "ok": age <= max_age,
        "age": round(age, 1),
        "max_age": max_age,
        "worker": last.hostname,
    }
    if age > max_age:
        result["error"] = f"last heartbeat {int(age)}s ago (stale after {max_age}s)"
    return result


def check_vpsbg_api_url() -> dict[str, object]:
    """Fails only on a wrong `VPSBG_API_URL`; VPSBG being down is not the panel's fault."""
    from panel.services.upstream import api_url_problem  # services load models: import late

    problem = api_url_problem()
    return {"ok": False, "error": problem} if problem else {"ok": True}


CHECKS: dict[str, Check] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "worker": check_worker,
    "vpsbg_api_url": check_vpsbg_api_url,
}


def run_checks(checks: dict[str, Check] | None = None) -> tuple[bool, dict[str, dict[str, object]]]:
    results: dict[str, dict[str, object]] = {}
    for name, check in (checks or CHECKS).items():
        started = time.monotonic()
        result = check()
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    return all(r["ok"] for r in results.values()), results
