"""What the metrics cost: one observation on the request path, and one scrape of many processes.

Runs in multiprocess mode (as under gunicorn and Celery) in a temporary folder: times `--observations`
request observations and VPSBG hook calls, then fills the folder as `--processes` processes would,
each with `--label-sets` request label sets, and times the aggregation and text rendering that
`/metrics` does (the live gauges read from the database come on top, a few small queries).

    python bench/metrics_cost.py [--observations 50000] [--processes 24] [--label-sets 150]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Event:
    operation_id: str = "servers_get"
    status: int | None = 200
    duration_s: float = 0.12
    attempts: int = 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=50_000)
    parser.add_argument("--processes", type=int, default=24)
    parser.add_argument("--label-sets", type=int, default=150)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="panel-metrics-bench-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    sys.path.insert(0, str(ROOT))
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    from panel.core import metrics

    request = metrics.HTTP_REQUEST_SECONDS
    started = time.perf_counter()
    for _ in range(args.observations):
        request.labels("web:servers", "GET", "200").observe(0.05)
    per_request = (time.perf_counter() - started) / args.observations * 1e6
    hook = metrics.vpsbg_call_hook("read_write")
    started = time.perf_counter()
    for _ in range(args.observations):
        hook(Event())
    per_call = (time.perf_counter() - started) / args.observations * 1e6

    for process in range(args.processes):
        metrics._HOST = f"bench-{process}"  # a new identifier: the next values go to new files
        for n in range(args.label_sets):
            request.labels(f"web:view_{n}", "GET", "200").observe(0.05)
    files = len(list(Path(folder).glob("*.db")))
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, path=folder)
    started = time.perf_counter()
    body = generate_latest(registry)
    scrape_ms = (time.perf_counter() - started) * 1000

    print(f"request observation:  {per_request:.1f} µs (multiprocess mode)")
    print(f"VPSBG call hook:      {per_call:.1f} µs")
    print(
        f"scrape aggregation:   {scrape_ms:.0f} ms for {files} files, "
        f"{args.processes} processes x {args.label_sets} label sets, {len(body) / 1024:.0f} KiB of text"
    )
    for path in Path(folder).glob("*.db"):
        path.unlink()
    os.rmdir(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
