"""Encryption of the vault's secrets with keys that live outside the database.

`settings.PANEL_ENCRYPTION_KEYS` is a list of Fernet keys, newest first: the first key encrypts,
every key decrypts (`MultiFernet`). Rotating keys is therefore: put the new key first, run
`manage.py rotate_encryption_keys` (re-encrypts every secret under the first key), then drop
the old key. A database dump alone never reveals a secret.

Errors never include a secret or a key: a misconfigured key names its position in the list, an
undecryptable value says so and nothing more.
"""
from __future__ import annotations

import binascii
from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from panel.core import keyed_hash

__all__ = [
    "SecretUndecryptable",
    "decrypt",
    "encrypt",
    "fingerprint",
    "fingerprints",
    "get_fernet",
    "needs_rotation",
    "rotate",
]

FINGERPRINT_KEYS = "VAULT_FINGERPRINT_KEYS"


class SecretUndecryptable(Exception):
    """A stored value cannot be decrypted with any configured key (wrong keys, or corrupted data)."""


def _configured_keys() -> tuple[str, ...]:
    keys = getattr(settings, "PANEL_ENCRYPTION_KEYS", None)
    if isinstance(keys, str):  # a single key given as a plain string
        keys = keys.split(",")
    if not keys:
        raise ImproperlyConfigured(
            "PANEL_ENCRYPTION_KEYS is empty: set at least one Fernet key "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )
    return tuple(str(k).strip() for k in keys)


@lru_cache(maxsize=8)
def _build(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except (ValueError, TypeError, binascii.Error) as exc:
            # Never echo the key itself: it is a secret too.
            raise ImproperlyConfigured(
                f"PANEL_ENCRYPTION_KEYS: key #{position} of {len(keys)} is not a valid Fernet key "
                "(expected 32 url-safe base64-encoded bytes)."
            ) from exc
    return MultiFernet(fernets)


def get_fernet() -> MultiFernet:
    """The MultiFernet for the current settings (cached per key list, so settings overrides work)."""
    return _build(_configured_keys())


def encrypt(plaintext: str) -> str:
    """Encrypt under the first (newest) key; returns ASCII text safe to store in a text column."""
    return get_fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str) -> str:
    """Decrypt with any configured key; raises `SecretUndecryptable` when none fits."""
    try:
        return get_fernet().decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise SecretUndecryptable("The stored secret cannot be decrypted with the configured keys.") from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first key (same plaintext); raises `SecretUndecryptable` when impossible."""
    try:
        return get_fernet().rotate(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise SecretUndecryptable("The stored secret cannot be decrypted with the configured keys.") from exc


def needs_rotation(ciphertext: str, keys: Sequence[str] | None = None) -> bool:
    """True when the value is not decryptable by the first key alone (i.e. made with an older key)."""
    first = (tuple(keys) if keys is not None else _configured_keys())[0]
    try:
        Fernet(first.encode()).decrypt(ciphertext.encode("ascii"))
    except (InvalidToken, UnicodeError, ValueError):
        return True
    return False


def fingerprint(secret: str) -> str:
    """The secret's keyed fingerprint under the first `VAULT_FINGERPRINT_KEYS` key (stored on the row).

    Equal secrets have equal fingerprints, so a duplicate is found without decrypting anything;
    without the key, a fingerprint cannot be checked against a guessed secret.
    """
    return keyed_hash.digest(keyed_hash.keys(FINGERPRINT_KEYS)[0], secret.encode())


def fingerprints(secret: str) -> list[str]:
    """The secret's fingerprint under every configured key (rows made before a key rotation)."""
    return [keyed_hash.digest(key, secret.encode()) for key in keyed_hash.keys(FINGERPRINT_KEYS)]
