"""gunicorn settings read from the working directory (the image's /app, the demo's project root).

The command line (docker-compose, the demo) sets workers, threads and the bind address; this file
only adds the hook multiprocess metrics need: when a worker exits, prometheus-client forgets its
live gauges (the panel keeps none today, its gauges are read at scrape time; the hook keeps any
future one right). Counters of the exited worker stay counted, as they must.
"""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        from panel.core.metrics import process_identifier_of

        multiprocess.mark_process_dead(process_identifier_of(worker.pid))
