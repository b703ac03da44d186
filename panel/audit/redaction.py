"""Redaction of secrets and normalization of audit parameters.

Audit parameters come from service calls: request bodies, form data, query filters. Anything that
can authenticate (passwords, tokens, keys, 2FA and recovery codes, authorization headers) must never
reach the audit table, which every reviewer can read and export. The rule is by key name, applied
recursively, and errs on the side of redacting: a harmless value under a secret-sounding key is
lost, a secret under an innocent key is the failure we guard against with the value check.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import uuid
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

# Matched anywhere in the key (long enough not to hit innocent words).
_SECRET_SUBSTRINGS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "authorization",
    "credential",
    "recovery",
    "cookie",
)
# Matched as a whole word of the key (`ssh_key`, `otpCode`, `X-Auth`).
_SECRET_WORDS = frozenset(
    {
        "key",
        "keys",
        "code",
        "codes",
        "otp",
        "totp",
        "hotp",
        "pin",
        "pwd",
        "pass",
        "auth",
        "cvv",
        "cvc",
        "session",
        "sessionid",
        "csrfmiddlewaretoken",
        "signature",
    }
)
# A key ending in one of these names a property of a secret, not the secret (`token_id`, `key_name`).
_HARMLESS_LAST_WORDS = frozenset(
    {
        "id",
        "ids",
        "name",
        "names",
        "label",
        "type",
        "kind",
        "scope",
        "count",
        "at",
        "expires",
        "expiry",
        "fingerprint",
        "hint",
        "required",
        "enabled",
        "length",
        "last4",
        "status",
        "policy",
        "url",
    }
)
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Values that are secrets whatever their key.
_SECRET_VALUE = re.compile(r"^\s*(bearer|basic|token)\s+\S+", re.IGNORECASE)
_EMBEDDED_BEARER = re.compile(r"\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
_MAX_DEPTH = 20
_MAX_STRING = 10_000


def _words(key: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(_CAMEL.sub("_", key).lower()) if w]


def is_secret_key(key: object) -> bool:
    """True when a parameter named `key` may hold a credential."""
    if not isinstance(key, str):
        key = str(key)
    words = _words(key)
    if not words:
        return False
    if words[-1] in _HARMLESS_LAST_WORDS and len(words) > 1:
        return False
    joined = "".join(words)
    return any(s in joined for s in _SECRET_SUBSTRINGS) or any(w in _SECRET_WORDS for w in words)


def scrub_text(text: str) -> str:
    """Remove bearer credentials from free text (upstream messages can echo headers back)."""
    return _EMBEDDED_BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def redact(value: Any, *, _depth: int = 0) -> Any:
    """Return a JSON-safe copy of `value` with secrets replaced by "[redacted]".

    Output holds only dicts with string keys, lists, strings, finite numbers, booleans and None, so it
    stores and reads back identically on SQLite and PostgreSQL (the hash depends on that).
    """
    if _depth > _MAX_DEPTH:
        return "[too deep]"
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = clean_text(str(key), 200)
            secret = is_secret_key(name) and item is not None
            out[name] = REDACTED if secret else redact(item, _depth=_depth + 1)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [redact(item, _depth=_depth + 1) for item in items]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        # Keep integers exact where both databases do; very large ones become text.
        return value if -(2**53) <= value <= 2**53 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return REDACTED if _SECRET_VALUE.match(value) else clean_text(scrub_text(value), _MAX_STRING)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return f"[{len(value)} bytes]"
    return clean_text(str(value), _MAX_STRING)


def clean_text(value: object, max_length: int) -> str:
    """Text safe for any database column: no NUL characters, at most `max_length` characters."""
    text = "" if value is None else str(value)
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return text
