"""Helpers for tests that run the panel in a subprocess (settings at import, commands, servers)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
STRONG_SECRET_KEY = "k7Qz-3vLr9_XpT2mWb8sYc4nJh6fGd1aEu5oIq0RtZyVxCwBsNmLkJhGfDeSaQ"


def production_env(**overrides: str) -> dict[str, str]:
    """An environment for DEBUG=0 with strong keys; pass overrides to break one thing."""
    # Drop what the test process itself sets (pytest, Playwright's DJANGO_ALLOW_ASYNC_UNSAFE).
    dropped = ("PYTEST_", "DJANGO_SETTINGS", "DJANGO_ALLOW_ASYNC")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "panel.settings",
            "DEBUG": "0",
            "SECRET_KEY": STRONG_SECRET_KEY,
            "PANEL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "AUDIT_HMAC_KEYS": "aUd1t-Ch41n-kEy-for-tests-9f8e7d6c5b4a3210",
            "VAULT_FINGERPRINT_KEYS": "v4uLt-F1ngerPr1nt-kEy-for-tests-0a1b2c3d4e",
            "ALLOWED_HOSTS": "panel.example.com",
        }
    )
    env.update(overrides)
    return env


def run_manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
