"""A tiny process supervisor for demo mode: start several commands, stop them all together.

Why not honcho or supervisord: one more dependency for ~150 lines, and the demo needs ordered
start-up with readiness checks (simulator before seed, web answering before the banner) which
those tools leave to shell scripts. Children run in their own sessions so a Ctrl-C reaches only
the supervisor, which then stops them in reverse order (SIGTERM, then SIGKILL after a grace period).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO


class StartupError(RuntimeError):
    """A child could not be started or did not become ready in time."""


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    pump: threading.Thread | None = field(default=None, repr=False)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_for_http(
    url: str,
    *,
    timeout: float,
    is_alive: Callable[[], bool] = lambda: True,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Poll `url` until it answers with any HTTP status; False on timeout or when is_alive() fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive():
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL we built
                return True
        except urllib.error.HTTPError:
            return True  # it answered, even if with an error status
        except (urllib.error.URLError, OSError):
            sleep(0.2)
    return False


class Supervisor:
    """Start children, watch them, stop them all on a signal or when one dies."""

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        cwd: str | None = None,
        out: IO[str] | None = None,
        grace: float = 30.0,
    ) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self.out = out or sys.stdout
        self.grace = grace
        self.children: list[Child] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._width = 10  # name column of the prefixed output

    # --- output -------------------------------------------------------------------------------
    def say(self, line: str) -> None:
        with self._lock:
            self.out.write(line + "\n")
            self.out.flush()

    def _pump(self, child: Child) -> None:
        assert child.process and child.process.stdout
        prefix = f"{child.name:<{self._width}}| "
        for raw in iter(child.process.stdout.readline, b""):
            self.say(prefix + raw.decode("utf-8", "replace").rstrip())

    # --- life cycle ---------------------------------------------------------------------------
    def start(self, name: str, argv: Sequence[str]) -> Child:
        child = Child(name=name, argv=list(argv))
        try:
            child.process = subprocess.Popen(  # noqa: S603 - argv built by the demo command
                child.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise StartupError(f"could not start {name}: {exc}") from exc
        child.pump = threading.Thread(target=self._pump, args=(child,), daemon=True)
        child.pump.start()
        self.children.append(child)
        return child

    def run_once(self, name: str, argv: Sequence[str]) -> tuple[int, str]:
        """Run a one-shot command to completion (migrate, seed); return its exit code and output."""
        try:
            done = subprocess.run(  # noqa: S603
                list(argv),
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:
            raise StartupError(f"could not run {name}: {exc}") from exc
        output = (done.stdout or "") + (done.stderr or "")
        for line in output.splitlines():
            self.say(f"{name:<{self._width}}| {line}")
        return done.returncode, done.stdout or ""

    def dead_child(self) -> Child | None:
        for child in self.children:
            if child.process and child.process.poll() is not None:
                return child
        return None

    def install_signal_handlers(self) -> None:
        def handler(signum: int, _frame: object) -> None:
            self.stopping.set()

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)

    def watch(self, poll: float = 0.25) -> int:
        """Block until a signal (exit 0 after a clean stop) or a child's death (exit 1)."""
        while not self.stopping.is_set():
            dead = self.dead_child()
            if dead is not None:
                assert dead.process is not None
                self.say(
                    f"supervisor| {dead.name} exited with code {dead.process.returncode}; "
                    "stopping everything."
                )
                self.stop_all()
                return 1
            self.stopping.wait(poll)
        self.say("supervisor| stopping (Ctrl-C received)...")
        return 0 if self.stop_all() else 1

    def stop_all(self) -> bool:
        """Stop children in reverse start order; True when all stopped within the grace period."""
        clean = True
        for child in reversed(self.children):
            proc = child.process
            if proc is None or proc.poll() is not None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                proc.wait(timeout=self.grace)
            except subprocess.TimeoutExpired:
                clean = False
                self.say(f"supervisor| {child.name} did not stop in {self.grace:.0f}s; killing it.")
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        for child in self.children:
            if child.pump:
                child.pump.join(timeout=2)
        return clean
