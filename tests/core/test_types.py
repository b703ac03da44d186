"""The types hold: mypy (with the Django and DRF stubs) finds nothing in `panel/` and `vpsbg_api/`.

`make lint` runs the same check; this test keeps CI honest. It takes half a minute from cold
(seconds with mypy's cache), hence `slow`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .helpers import ROOT

pytestmark = pytest.mark.slow


def run_mypy(*paths: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), *paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_mypy_covers_the_panel_and_the_client_with_the_django_stubs() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert set(config["packages"]) == {"panel", "vpsbg_api"}
    assert "mypy_django_plugin.main" in config["plugins"]
    assert "mypy_drf_plugin.main" in config["plugins"]
    assert not config.get("exclude"), "a module left out of the check must be said here and in the docs"
    # every function typed (migrations, generated, aside), every ignore still needed
    assert config["disallow_untyped_defs"] and config["check_untyped_defs"]
    assert config["warn_unused_ignores"]
    # the one other entry: apps whose typing is still being brought in line (pyproject says why)
    assert [o["module"] for o in config["overrides"]] == [
        ["panel.*.migrations.*"],
        ["panel.guardrails.*", "panel.bulk.*", "panel.schedules.*"],
    ]


def test_mypy_finds_nothing_in_the_panel_and_the_client() -> None:
    result = run_mypy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_mypy_refuses_a_wrong_typed_call(tmp_path: Path) -> None:
    """Not vacuous: a service passing a wrong argument or misreading a result type is an error."""
    snippet = tmp_path / "wrong_call.py"
    snippet.write_text(
        "from vpsbg_api.areas import ServersArea\n"
        "from vpsbg_api.calls import call\n"
        "from vpsbg_api.models import Server\n"
        "call(ServersArea.reinstall, 5, image=7)\n"
        "call(ServersArea.get, 'web-1')\n"
        "status: Server = call(ServersArea.status, 5).__call__(None)  # type: ignore[arg-type]\n"
    )
    result = run_mypy(str(snippet))
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Unexpected keyword argument "image"' in result.stdout
    assert 'Argument 2 to "call" has incompatible type "str"; expected "int"' in result.stdout
    assert '"ServerStatus", variable has type "Server"' in result.stdout
