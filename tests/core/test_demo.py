"""`make run`'s supervisor: starts the whole demo, stops it all on Ctrl-C, fails loudly when a part dies."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from panel.core.supervisor import Supervisor, port_is_free, wait_for_http

from .helpers import ROOT

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for_output(out: io.StringIO, text: str) -> None:
    deadline = time.monotonic() + 60
    while text not in out.getvalue():
        assert time.monotonic() < deadline, f"never printed {text!r}:\n{out.getvalue()}"
        time.sleep(0.05)


def test_a_dying_child_stops_the_others_and_fails() -> None:
    out = io.StringIO()
    sup = Supervisor(env=dict(os.environ), out=out, grace=5)
    sleeper = sup.start("sleeper", SLEEPER)
    _wait_for_output(out, "sleeper   | up")  # running before its neighbour dies
    sup.start("crasher", [sys.executable, "-c", "import sys; sys.exit(3)"])
    assert sup.watch(poll=0.05) == 1
    assert "crasher exited with code 3; stopping everything." in out.getvalue()
    assert sleeper.process.poll() is not None and not alive(sleeper.pid)
    assert "sleeper   | up" in out.getvalue()  # children's output is prefixed with their name


def test_a_stop_request_stops_every_child_cleanly() -> None:
    out = io.StringIO()
    sup = Supervisor(env=dict(os.environ), out=out, grace=5)
    children = [sup.start(f"child{i}", SLEEPER) for i in range(3)]
    threading.Timer(0.3, sup.stopping.set).start()
    assert sup.watch(poll=0.05) == 0
    assert all(child.process.poll() is not None for child in children)


def test_a_child_ignoring_sigterm_is_killed_after_the_grace_period() -> None:
    out = io.StringIO()
    sup = Supervisor(env=dict(os.environ), out=out, grace=0.5)
    stubborn = sup.start(
        "stubborn",
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
            "print('ready', flush=True); time.sleep(60)",
        ],
    )
    _wait_for_output(out, "ready")  # SIGTERM is ignored from here on
    assert sup.stop_all() is False
    assert stubborn.process.returncode == -signal.SIGKILL
    assert "did not stop in 0s; killing it." in out.getvalue() or "did not stop in 1s" in out.getvalue()


def test_port_check_and_http_wait(free_port) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the fixture holds the port
        sock.bind(("127.0.0.1", free_port))
        sock.listen()
        assert port_is_free("127.0.0.1", free_port) is False
    assert port_is_free("127.0.0.1", free_port) is True
    assert wait_for_http(f"http://127.0.0.1:{free_port}/", timeout=0.3, sleep=lambda s: None) is False
    assert wait_for_http(f"http://127.0.0.1:{free_port}/", timeout=5, is_alive=lambda: False) is False


def test_demo_refuses_a_busy_port(free_port, tmp_path) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the fixture holds the port
        sock.bind(("127.0.0.1", free_port))
        sock.listen()
        result = subprocess.run(
            [sys.executable, "-m", "panel.core.demo", "--port", str(free_port)],
            cwd=ROOT,
            env={**os.environ, "PANEL_VAR_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"Port {free_port} for the web server is already in use" in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_demo(var: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")}
    env["PANEL_VAR_DIR"] = str(var)
    proc = subprocess.Popen(
        [sys.executable, "-m", "panel.core.demo", "--port", str(port), "--simulator-port", str(_free_port())],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while "Press Ctrl-C to stop everything." not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("demo did not start:\n" + log.read_text(errors="replace")[-4000:])
        time.sleep(0.25)
    return proc, port


def _stop_demo(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGINT)  # what Ctrl-C does
    return proc.wait(timeout=150)


@pytest.mark.slow
def test_demo_starts_everything_prints_the_login_and_restarts_on_the_same_data(tmp_path) -> None:
    var = tmp_path / "var"
    proc, port = _start_demo(var, tmp_path / "first.log")
    try:
        first = (tmp_path / "first.log").read_text()
        url = re.search(r"VPSBG Panel is running at\s+(http://\S+)", first).group(1)
        password = re.search(r"Password:\s+(\S+)", first).group(1)
        assert url == f"http://127.0.0.1:{port}/"
        assert "Sign in as:  demo@example.com" in first
        with urllib.request.urlopen(url + "accounts/login/", timeout=10) as response:
            assert response.status == 200
        # The worker's first heartbeat arrives through the filesystem broker: /healthz turns green.
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "healthz", timeout=5) as response:
                    assert response.status == 200
                    break
            except urllib.error.HTTPError:
                assert time.monotonic() < deadline, "healthz never became ok"
                time.sleep(0.5)
        for name in ("panel.sqlite3", "demo-login.txt"):
            assert (var / name).exists(), name
        assert any((var / "broker").iterdir())
    finally:
        assert _stop_demo(proc) == 0, (tmp_path / "first.log").read_text()[-4000:]
    first_log = (tmp_path / "first.log").read_text()
    assert "stopping (Ctrl-C received)" in first_log and "Traceback" not in first_log

    proc, _port = _start_demo(var, tmp_path / "second.log")
    try:
        second = (tmp_path / "second.log").read_text()
        assert f"Password:    {password}" in second  # same data, same login
        assert "kept" in second  # the seed found its tokens
    finally:
        assert _stop_demo(proc) == 0, (tmp_path / "second.log").read_text()[-4000:]
