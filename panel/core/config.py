"""Start-up checks on secrets, run from settings so a weak production setup never starts.

Django's own `check --deploy` only warns, and only when someone runs it; a panel that holds
provider tokens must not come up at all with the published development keys.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARS = 5


def secret_key_problem(secret_key: str, insecure: Iterable[str] = ()) -> str | None:
    """Why `secret_key` is unfit for production, or None when it is fine."""
    if not secret_key:
        return "SECRET_KEY is not set"
    if secret_key in set(insecure) or secret_key.startswith("django-insecure"):
        return "SECRET_KEY is the published development default"
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is too short ({len(secret_key)} characters, need {MIN_SECRET_KEY_LENGTH}+)"
    if len(set(secret_key)) < MIN_SECRET_KEY_UNIQUE_CHARS:
        return f"SECRET_KEY uses fewer than {MIN_SECRET_KEY_UNIQUE_CHARS} distinct characters"
    return None


def encryption_keys_problem(keys: list[str], insecure: Iterable[str] = ()) -> str | None:
    """Why the vault's Fernet keys are unfit for production, or None when they are fine."""
    keys = [key.strip() for key in keys if key.strip()]
    if not keys:
        return "PANEL_ENCRYPTION_KEYS is not set"
    insecure = set(insecure)
    for position, key in enumerate(keys, start=1):
        if key in insecure:
            return f"PANEL_ENCRYPTION_KEYS key #{position} is the published development default"
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            return (
                f"PANEL_ENCRYPTION_KEYS key #{position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)"
            )
    return None


MIN_HMAC_KEY_LENGTH = 32


def hmac_keys_problem(name: str, keys: list[str], insecure: Iterable[str] = ()) -> str | None:
    """Why the HMAC keys of setting `name` are unfit for production, or None when they are fine."""
    keys = [key.strip() for key in keys if key.strip()]
    if not keys:
        return f"{name} is not set"
    for position, key in enumerate(keys, start=1):
        if key in set(insecure):
            return f"{name} key #{position} is the published development default"
        if len(key) < MIN_HMAC_KEY_LENGTH or len(set(key)) < MIN_SECRET_KEY_UNIQUE_CHARS:
            return f"{name} key #{position} is too weak (need {MIN_HMAC_KEY_LENGTH}+ random characters)"
    return None


def require_production_secrets(
    *,
    secret_key: str,
    encryption_keys: list[str],
    insecure_secret_keys: Iterable[str] = (),
    insecure_encryption_keys: Iterable[str] = (),
    hmac_keys: dict[str, list[str]] | None = None,
    insecure_hmac_keys: Iterable[str] = (),
) -> None:
    """Raise ImproperlyConfigured naming every problem with the production secrets."""
    problems = [
        problem
        for problem in (
            secret_key_problem(secret_key, insecure_secret_keys),
            encryption_keys_problem(encryption_keys, insecure_encryption_keys),
            *(hmac_keys_problem(name, keys, insecure_hmac_keys) for name, keys in (hmac_keys or {}).items()),
        )
        if problem
    ]
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start with DEBUG=0: "
            + "; ".join(problems)
            + ". Generate keys with: python -c 'import secrets; print(secrets.token_urlsafe(64))' "
            "(SECRET_KEY) and python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())' (PANEL_ENCRYPTION_KEYS); the first command also "
            "makes AUDIT_HMAC_KEYS and VAULT_FINGERPRINT_KEYS."
        )


def private_file(path: Path) -> None:
    """Make `path` a file only its owner can read and write (0600): created so, or tightened.

    For the demo's SQLite database, which holds the vault's ciphertexts, the people's password
    hashes and sessions: other accounts on the machine have no business reading it. SQLite gives
    its -wal and -shm files the database file's permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
    except PermissionError:  # someone else's file: leave it to its owner
        pass
