"""How much the VPSBG client costs on top of raw `requests`, against the in-process simulator.

    python bench/client_overhead.py [--servers 500] [--rounds 1000] [--walks 21]

Prints the median time of `client.servers.get(id)` against the same `requests.Session.get`
(+ `.json()`), and of walking every server with `client.servers.iter_all(per_page=50)` against
fetching the same pages raw, with their ratios. The target is a wall-time ratio of at most 1.10.
Runs alternate (client first, then raw first) so drift in the machine's load hits both sides; the
CPU columns count only this thread, so the simulator's own work (same process) is left out.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vpsbg_api import Client, RetryPolicy


@contextlib.contextmanager
def simulator(servers: int) -> Iterator[tuple[str, str]]:
    """(base_url, read-write token) of an in-process simulator with `servers` extra servers."""
    from vpsbg_api.simulator.testing import running_simulator

    with running_simulator(servers=servers) as sim:
        yield sim.base_url, sim.tokens["alpha_rw"]


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this thread): the simulator's threads count only in wall."""
    start, cpu = time.perf_counter(), time.thread_time()
    fn()
    return time.perf_counter() - start, time.thread_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=1000, help="servers.get calls per side")
    parser.add_argument("--walks", type=int, default=21, help="full list walks per side")
    args = parser.parse_args()

    with simulator(args.servers) as (base_url, token):
        client = Client(token, base_url=base_url, retry=RetryPolicy(max_attempts=1))
        raw = requests.Session()
        raw.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": "bench-raw"}
        )
        first = client.servers.list(per_page=1)
        server_id = first.items[0].id
        total = first.total

        def client_get() -> None:
            client.servers.get(server_id)

        def raw_get() -> None:
            response = raw.get(f"{base_url}/servers/{server_id}", timeout=(5, 30))
            response.raise_for_status()
            response.json()

        def client_walk() -> None:
            count = sum(1 for _ in client.servers.iter_all(per_page=50))
            assert count == total, (count, total)

        def raw_walk() -> None:
            page, count = 1, 0
            while True:
                response = raw.get(
                    f"{base_url}/servers", params={"page": page, "per_page": 50}, timeout=(5, 30)
                )
                response.raise_for_status()
                body = response.json()
                count += len(body["data"])
                meta = body.get("meta") or {}
                if not body["data"] or meta.get("current_page", page) >= meta.get("last_page", page):
                    break
                page += 1
            assert count == total, (count, total)

        for fn in (client_get, raw_get, client_walk, raw_walk):  # warm up connections and caches
            fn()
        results = {}
        gc.disable()  # a collection landing in one side's timing is noise, not overhead
        try:
            for name, mine, theirs, rounds in (
                ("servers.get", client_get, raw_get, args.rounds),
                (f"walk {total} servers", client_walk, raw_walk, args.walks),
            ):
                a: list[tuple[float, float]] = []
                b: list[tuple[float, float]] = []
                for i in range(rounds):  # alternate which side goes first
                    if i % 2:
                        b.append(timed(theirs))
                        a.append(timed(mine))
                    else:
                        a.append(timed(mine))
                        b.append(timed(theirs))
                    gc.collect()
                results[name] = [statistics.median(x[k] for x in side) for side in (a, b) for k in (0, 1)]
        finally:
            gc.enable()
        client.close()
        raw.close()

    print(
        f"{'median of':<20}{'client ms':>11}{'raw ms':>9}{'ratio':>7}"
        f"   {'client cpu':>10}{'raw cpu':>9}{'ratio':>7}"
    )
    worst = 0.0
    for name, (wall_a, cpu_a, wall_b, cpu_b) in results.items():
        worst = max(worst, wall_a / wall_b)
        print(
            f"{name:<20}{wall_a * 1000:>11.3f}{wall_b * 1000:>9.3f}{wall_a / wall_b:>7.3f}"
            f"   {cpu_a * 1000:>10.3f}{cpu_b * 1000:>9.3f}{cpu_a / cpu_b:>7.3f}"
        )
    print(f"target <= 1.10 (wall): {'met' if worst <= 1.10 else 'NOT met'} (worst ratio {worst:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
