"""`manage.py clear_metrics`: empty `PROMETHEUS_MULTIPROC_DIR` before the panel's processes start.

Each process keeps its counters in a file of that folder and `/metrics` adds up every file, those
of processes that have ended included (a counter must not go back when a worker is replaced). The
files of an earlier run of the whole stack are removed here, once, by the one-shot `migrate`
service of docker-compose (the demo supervisor does the same for its own folder).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from panel.core import metrics


class Command(BaseCommand):
    help = "Delete the metric files of earlier runs from PROMETHEUS_MULTIPROC_DIR (before the stack starts)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not metrics.MULTIPROC_DIR:
            self.stdout.write("PROMETHEUS_MULTIPROC_DIR is not set: nothing to clear.")
            return
        removed = metrics.clear_multiproc_dir(metrics.MULTIPROC_DIR)
        self.stdout.write(f"Removed {removed} metric file(s) from {metrics.MULTIPROC_DIR}.")
