"""Persistence across restarts and the command line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

from vpsbg_api.simulator import DEMO_TOKENS
from vpsbg_api.simulator.testing import running_simulator


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "sim.json"
    with running_simulator(state_file=str(state_file)) as sim:
        r = requests.put(
            sim.base_url + "/servers/2864/hostname",
            json={"hostname": "renamed.example"},
            headers=sim.headers(),
            timeout=5,
        )
        assert r.status_code == 200
    assert json.loads(state_file.read_text())["servers"]["2864"]["hostname"] == "renamed.example"
    with running_simulator(state_file=str(state_file)) as sim:
        r = requests.get(sim.base_url + "/servers/2864", headers=sim.headers(), timeout=5)
        assert r.json()["hostname"] == "renamed.example"


def test_a_corrupt_state_file_is_a_clear_error(tmp_path: Path) -> None:
    state_file = tmp_path / "sim.json"
    state_file.write_text('{"version": 99}')
    import pytest

    with pytest.raises(ValueError, match="not a simulator state file"):
        with running_simulator(state_file=str(state_file)):
            pass


def test_command_line_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    state_file = tmp_path / "demo.json"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vpsbg_api.simulator",
            "--port",
            "0",  # the simulator picks a free one and prints it once it listens
            "--state",
            str(state_file),
            "--token",
            "extra-token:ro:beta",
            "--action-seconds",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        first = proc.stdout.readline()
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+/v1)$", first.strip())
        assert found, first
        base_url = found.group(1)
        r = requests.get(
            base_url + "/servers", headers={"Authorization": f"Bearer {DEMO_TOKENS['alpha_rw']}"}, timeout=10
        )
        assert r.status_code == 200
        r = requests.get(base_url + "/servers", headers={"Authorization": "Bearer extra-token"}, timeout=10)
        assert {s["id"] for s in r.json()["data"]} == {2950, 2951}
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0, out
    assert state_file.exists()


def test_command_line_rejects_a_bad_token_spec() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vpsbg_api.simulator", "--port", "0", "--token", "abc:admin"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and "VALUE:rw" in proc.stderr
