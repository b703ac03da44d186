"""The layering holds: only the service layer talks to VPSBG, and the client knows nothing of Django."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .helpers import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def run_lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(cwd / ".importlinter"), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_import_contracts_are_kept() -> None:
    result = run_lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_contracts_catch_a_view_calling_vpsbg_and_a_client_importing_django(tmp_path: Path) -> None:
    """The contracts are not vacuous: a miniature project that breaks both rules fails the check."""
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    files = {
        "panel/__init__.py": "",
        "panel/services/__init__.py": "import vpsbg_api\n",
        "panel/web/__init__.py": "",
        "panel/web/views.py": "from vpsbg_api import client\n",
        "vpsbg_api/__init__.py": "",
        "vpsbg_api/client.py": "from django.conf import settings\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = run_lint_imports(tmp_path)
    assert result.returncode != 0
    assert "Contracts: 0 kept, 2 broken." in result.stdout
    assert "panel.web.views -> vpsbg_api.client" in result.stdout
    assert "vpsbg_api.client -> django" in result.stdout
