"""A real OpenID Connect provider for the tests: `oidc-provider` under Node (tests/oidc_provider/).

`running_provider(redirect_uris)` installs the package with `npm ci` when `node_modules` is missing
(a clean clone), starts the server on a free loopback port over plain http, and stops it at the end.
The signing key is made here, so tests can also sign tokens with the provider's own key (an expired
token, a token for another audience) and have the panel check them against the provider's JWKS.
Skips with the reason only when `node` (or `npm`) is not installed.
"""
from __future__ import annotations

import json
import selectors
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc_provider"
CLIENT_ID = "panel"
CLIENT_SECRET = "test-client-secret-not-for-production"
KID = "test-key-1"
START_TIMEOUT = 60  # seconds for `node` to print its first line (npm ci is before, not counted)


@dataclass
class TestProvider:
    issuer: str
    accounts_file: Path
    private_key: Any = field(repr=False)
    process: subprocess.Popen[str] = field(repr=False)

    __test__ = False  # not a test class for pytest

    def set_accounts(self, accounts: dict[str, dict[str, Any]]) -> None:
        """Who exists at the provider, with their claims (`amr` goes into the ID token)."""
        self.accounts_file.write_text(json.dumps(accounts))

    def sign(self, claims: dict[str, Any]) -> str:
        """A token signed with the provider's own key (as if the provider had issued it)."""
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": KID})

    def env(self, key: str = "test") -> dict[str, str]:
        """The environment block that configures the panel for this provider."""
        prefix = f"OIDC_{key.upper()}_"
        return {"OIDC_PROVIDERS": key, prefix + "ISSUER": self.issuer, prefix + "CLIENT_ID": CLIENT_ID,
                prefix + "CLIENT_SECRET": CLIENT_SECRET, prefix + "NAME": "Test IdP",
                prefix + "SCOPES": "openid email profile groups"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_installed() -> str:
    """The `node` executable, with the provider's packages installed; skip when Node is absent."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs Node.js (`node`) for the test identity provider (tests/oidc_provider/)")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("needs npm to install the test identity provider (tests/oidc_provider/)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PROVIDER_DIR,
                       check=True, timeout=600)
    return node


@contextmanager
def running_provider(tmp_dir: Path, redirect_uris: list[str]) -> Iterator[TestProvider]:
    node = ensure_installed()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key))
    jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
    port = _free_port()
    accounts = tmp_dir / "accounts.json"
    accounts.write_text("{}")
    config = tmp_dir / "provider.json"
    config.write_text(json.dumps({
        "port": port,
        "accounts_file": str(accounts),
        "jwks": {"keys": [jwk]},
        "clients": [{
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris,
            "grant_types": ["authorization_code"], "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }],
    }))
    process = subprocess.Popen(
        [node, "server.mjs"], cwd=PROVIDER_DIR,
        env={"PATH": str(Path(node).parent), "PROVIDER_CONFIG": str(config), "NODE_ENV": "test"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        issuer = _read_ready_line(process)
        yield TestProvider(issuer=issuer, accounts_file=accounts, private_key=key, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_ready_line(process: subprocess.Popen[str]) -> str:
    """The issuer the server prints once it listens; its stderr when it dies first."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                line = process.stdout.readline()
                if line:
                    return json.loads(line)["issuer"]
                break
    process.kill()
    stderr = process.stderr.read() if process.stderr else ""
    raise RuntimeError(f"the test identity provider did not start: {stderr[-2000:]}")
