"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

from panel.core.navigation import build_navigation


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav_items": build_navigation(request.path)}
