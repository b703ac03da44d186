"""Worker heartbeats: the proof, for /healthz, that a Celery worker is consuming the queue."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Last time a worker ran the `panel.core.tasks.heartbeat` task; one row per worker host.

    Kept in the database (not the cache) because in demo mode the cache is per process, and the
    database is the one store every process shares in every deployment.
    """

    hostname = models.CharField(max_length=255, primary_key=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
