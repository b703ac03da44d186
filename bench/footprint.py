"""Memory footprint of the demo stack (`make run`): start it, wait until it answers, sum the RSS.

Runs `python -m panel.core.demo` (what `make run` starts) on free ports with a temporary data
folder (your `var/` is untouched), waits for /healthz to report every dependency healthy (worker
heartbeat included), reads VmRSS of every process in the tree from /proc, prints one line per
process and the total, then stops the stack with SIGINT like Ctrl-C. Exit status 1 when the
total exceeds the target (600 MB).

    python bench/footprint.py [--target-mb 600] [--settle 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found: list[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        tasks = list(task_dir.iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    result, todo = [], [pid]
    while todo:
        current = todo.pop()
        result.append(current)
        todo += children(current)
    return result


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cmdline(pid: int) -> str:
    try:
        parts = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(p.decode(errors="replace") for p in parts if p)
    return text.replace(sys.executable, "python").replace(str(ROOT) + "/", "")


def wait_healthy(url: str, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    body = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read() or b"{}")
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    return body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-mb", type=float, default=600.0)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to idle after healthy")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    port, sim_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="panel-bench-") as var:
        env = {**os.environ, "PANEL_VAR_DIR": var, "PYTHONUNBUFFERED": "1"}
        log_path = Path(var) / "demo.log"
        started = time.monotonic()
        with log_path.open("wb") as log:
            demo = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "panel.core.demo",
                    "--port",
                    str(port),
                    "--simulator-port",
                    str(sim_port),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                health = wait_healthy(f"http://127.0.0.1:{port}/healthz", args.timeout)
                ready_after = time.monotonic() - started
                if not health or health.get("status") != "ok":
                    print(f"stack did not become healthy in {args.timeout:.0f}s: {health}")
                    print(log_path.read_text(errors="replace")[-4000:])
                    return 2
                time.sleep(args.settle)
                rows = [(pid, rss_kb(pid), cmdline(pid)) for pid in tree(demo.pid)]
            finally:
                demo.send_signal(signal.SIGINT)
                try:
                    stopped = demo.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    demo.kill()
                    stopped = -9

    total_mb = sum(kb for _, kb, _ in rows) / 1024
    print(f"Demo stack healthy after {ready_after:.1f}s (web on port {port}, simulator on {sim_port}).")
    print(f"{'PID':>8} {'RSS MB':>8}  COMMAND")
    for pid, kb, command in rows:
        print(f"{pid:>8} {kb / 1024:>8.1f}  {command[:110]}")
    print(f"{'total':>8} {total_mb:>8.1f}  ({len(rows)} processes; target < {args.target_mb:.0f} MB)")
    print(f"Stopped with Ctrl-C (SIGINT): exit code {stopped}.")
    return 0 if total_mb < args.target_mb and stopped == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
