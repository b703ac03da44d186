"""Does `VPSBG_API_URL` lead to the VPSBG API? A configuration error, told as one.

A wrong URL (say, without its `/v1`) makes every call answer 404, which would otherwise read as
"VPSBG has no account … (it may have been deleted)" once per account and per part of a page.
The account endpoint (`GET /user`) exists at the right URL whatever the token, and answers 401
to a made-up one: a 404 there can only mean the URL is wrong. `api_url_problem()` asks it once
with no real token and keeps the answer in the cache for `PROBE_TTL` seconds (per URL), so pages,
the tokens page and `/healthz` say the same thing without costing VPSBG a request each.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

import vpsbg_api
from panel.core.errors import PanelError

__all__ = ["CODE", "UpstreamMisconfigured", "api_url_problem", "misconfigured", "note_misconfigured"]

logger = logging.getLogger(__name__)

CODE = "upstream_misconfigured"
PROBE_TTL = 300
PROBE_TOKEN = "panel-url-probe"  # no real token: the right URL answers 401, a wrong one 404
PROBE_TIMEOUT = 5.0


class UpstreamMisconfigured(PanelError):
    """`VPSBG_API_URL` does not lead to the VPSBG API: the administrator must correct it."""

    status = 502
    code = CODE


def misconfigured() -> UpstreamMisconfigured:
    return UpstreamMisconfigured(
        f"The panel is misconfigured: VPSBG_API_URL ({settings.VPSBG_API_URL}) does not lead to the "
        "VPSBG API (its account endpoint answered 404 Not Found). An administrator must correct the "
        "setting; it normally ends in /v1."
    )


def _key() -> str:
    return "vpsbg-api-url-problem:" + hashlib.sha256(settings.VPSBG_API_URL.encode()).hexdigest()[:32]


def _remember(problem: str) -> None:
    try:
        cache.set(_key(), problem, PROBE_TTL)
    except Exception as exc:  # a cache that is down must not hide the answer (/healthz reports it)
        logger.warning("services.api_url_problem_not_cached", extra={"error": type(exc).__name__})


def note_misconfigured() -> str:
    """Remember what a 404 on the account endpoint just proved; returns the message."""
    message = misconfigured().message
    _remember(message)
    return message


def _probe() -> str:
    client = vpsbg_api.Client(
        PROBE_TOKEN,
        base_url=settings.VPSBG_API_URL,
        timeout=min(PROBE_TIMEOUT, settings.VPSBG_API_TIMEOUT),
        retry=vpsbg_api.RetryPolicy(max_attempts=1),
    )
    try:
        client.user.get()
    except vpsbg_api.NotFound:
        return misconfigured().message
    except vpsbg_api.VpsbgError:
        return ""  # 401 as expected, or VPSBG unreachable: not a configuration matter
    finally:
        client.close()
    return ""


def api_url_problem() -> str:
    """The configuration error to show, or "" when the URL looks right (or VPSBG cannot tell)."""
    try:
        known = cache.get(_key())
    except Exception:
        known = None
    if known is None:
        known = _probe()
        _remember(known)
    return known
