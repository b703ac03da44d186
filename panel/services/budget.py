"""How long a person waits on VPSBG for one page: the page budget.

A read made for a page (a web or panel API request: the actor carries the request) gets a short
read timeout, `VPSBG_PAGE_TIMEOUT`, and no retry once that time is spent; the reads of one
request share one deadline, so a page that reads three times from a hung VPSBG still answers after
about one timeout, with a warning and a retry link, instead of the 60 s of two 30 s tries. Long
operations (Celery workers: their actor has no request) and writes keep `VPSBG_API_TIMEOUT`: a
write cut short may still happen at VPSBG, and the person would be told it failed. Secret and
document downloads (audited reads) keep it too: a large invoice zip is worth the wait. Checking a
token typed into a form waits `VPSBG_PAGE_TIMEOUT` as well (`tokens.add_token`).
"""

from __future__ import annotations

import dataclasses
import time

from django.conf import settings
from django.http import HttpRequest

import vpsbg_api
from panel.core.errors import UpstreamUnavailable

__all__ = ["applies", "check", "page_policy", "page_timeout"]

_DEADLINE = "_vpsbg_page_deadline"  # attribute of the request: monotonic time its budget ends


def page_timeout() -> float:
    """`VPSBG_PAGE_TIMEOUT`, seconds (never longer than the operations' timeout)."""
    return min(float(settings.VPSBG_PAGE_TIMEOUT), float(settings.VPSBG_API_TIMEOUT))


_policies: dict[tuple[vpsbg_api.RetryPolicy, float], vpsbg_api.RetryPolicy] = {}


def page_policy(base: vpsbg_api.RetryPolicy) -> vpsbg_api.RetryPolicy:
    """The services' retry policy `base`, making no retry once the page's time is spent.

    The same object for equal bases and budgets, so the pooled clients keyed by it are reused.
    """
    key = (base, page_timeout())
    policy = _policies.get(key)
    if policy is None or len(_policies) > 16:
        _policies.clear()
        policy = _policies[key] = dataclasses.replace(base, budget=key[1])
    return policy


def applies(request: HttpRequest | None, *, plain_read: bool) -> bool:
    """Whether a call is a read for a page a person is waiting on (see the module docstring).

    `plain_read`: neither a write nor an audited read (a secret or a document).
    """
    return request is not None and plain_read


def check(request: HttpRequest) -> None:
    """Start the request's budget on its first VPSBG read; refuse a read once it is spent.

    Raises `UpstreamUnavailable`: the page shows it as a warning beside what it could read.
    """
    now = time.monotonic()
    deadline = getattr(request, _DEADLINE, None)
    if deadline is None:
        setattr(request, _DEADLINE, now + page_timeout())
        return
    if now >= deadline:
        raise UpstreamUnavailable(
            f"VPSBG did not answer within {page_timeout():g} s, the time a page waits for it; "
            "retry in a moment."
        )
