"""One URL serves the full page or the fragment htmx asked for (NetBox's `utilities/htmx.py` idea).

A page template includes its fragments; an htmx request (not a boosted navigation) gets only the
fragment, so links keep working without JavaScript and the same view answers both. Every such
response varies on `HX-Request`, so a cache never hands a fragment to a full page load.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

__all__ = ["is_fragment_request", "render_page_or_fragment"]


def is_fragment_request(request: HttpRequest) -> bool:
    """True for an htmx request that wants a piece of a page (boosted links want whole pages)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(
    request: HttpRequest,
    page: str,
    fragment: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """`page` for a normal request, `fragment` for an htmx one; `Vary: HX-Request` on both."""
    response = render(request, fragment if is_fragment_request(request) else page, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
