"""Who may scrape `/metrics`: the bearer token or an allowed address (the settings use it too).

Never public. With neither `METRICS_TOKEN` nor `METRICS_ALLOWED_IPS` configured nobody may; a
signed-in person gets no more than anyone else, since the figures describe every team at once.
The client address is `REMOTE_ADDR`: the proxy in front must set it to the client's (as for the
sign-in lockouts).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MIN_TOKEN_LENGTH = 16


class MetricsConfigError(ImproperlyConfigured):
    """A `METRICS_*` setting that cannot work; the message names it and says what to write."""


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`METRICS_ALLOWED_IPS` as networks; a bad entry is refused with a message naming it."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise MetricsConfigError(
                f"METRICS_ALLOWED_IPS: {entry!r} is not an IP address or network "
                "(e.g. 10.0.0.5, 10.0.0.0/24)."
            ) from None
    return tuple(networks)


def check_token_setting(token: str) -> str:
    """`METRICS_TOKEN` is empty (no token access) or long enough not to be guessed."""
    if token and len(token) < MIN_TOKEN_LENGTH:
        raise MetricsConfigError(
            f"METRICS_TOKEN must be at least {MIN_TOKEN_LENGTH} characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))'), or empty."
        )
    return token


def bearer(authorization: str) -> str:
    scheme, _, value = (authorization or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def scrape_allowed(*, authorization: str, remote_addr: str, token: str, networks: Iterable[str]) -> bool:
    """True for the configured token (compared in constant time) or an address in an allowed network."""
    if token and hmac.compare_digest(bearer(authorization).encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in parse_networks(networks))
