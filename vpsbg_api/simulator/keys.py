"""SSH public keys (fingerprints) and TOTP codes, as the provider would compute them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import time


def ssh_fingerprint(key: str) -> str | None:
    """MD5 fingerprint of an OpenSSH public key, or None when there is no key body.

    The reference only checks the key against a pattern (its own example key is not valid
    base64), so a body that does not decode is fingerprinted as text instead of refused.
    """
    parts = key.split()
    if len(parts) < 2 or len(parts[1]) < 16:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        blob = parts[1].encode()
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def demo_public_key(label: str, kind: str = "ssh-ed25519") -> str:
    """A well-formed (not usable) public key, deterministic per label, for seeded data."""
    name = kind.encode()
    body = (
        struct.pack(">I", len(name)) + name + struct.pack(">I", 32) + hashlib.sha256(label.encode()).digest()
    )
    return f"{kind} {base64.b64encode(body).decode()} {label}"


def totp(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP, so tests and the demo can produce the code the simulator expects."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def totp_valid(secret: str, code: object, at: float, window: int = 1) -> bool:
    text = str(code).strip().zfill(6)
    return any(hmac.compare_digest(totp(secret, at + d * 30), text) for d in range(-window, window + 1))


def new_secret(seed: str) -> str:
    return base64.b32encode(hashlib.sha256(seed.encode()).digest()[:10]).decode()
