"""Time-boxed elevation as the role table sees it: the role a member holds for now, if any.

`panel.accounts.permissions.can` asks `elevated_role(membership)` at every permission check. The
row is read once per membership object (a request's, a task's) and its end compared with the
clock at every check, so an elevation that ends in the middle of a request or a session stops
counting at once, with no sweep involved.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

_CACHE = "_guardrails_elevation"


def _load(membership: Any) -> tuple[Any, str] | None:
    from .models import Elevation, ElevationState

    row = (
        Elevation.objects.filter(
            membership_id=membership.pk, state=ElevationState.GRANTED, ends_at__gt=timezone.now()
        )
        .order_by("-ends_at")
        .values_list("ends_at", "role")
        .first()
    )
    return (row[0], row[1]) if row else None


def elevated_role(membership: Any) -> str | None:
    """The role granted to `membership` for now (None when none, or when it has ended)."""
    if membership is None or getattr(membership, "pk", None) is None:
        return None
    cached = getattr(membership, _CACHE, False)
    if cached is False:
        cached = _load(membership)
        try:
            setattr(membership, _CACHE, cached)
        except AttributeError:  # a stand-in object that takes no attributes: ask every time
            pass
    if cached is None or timezone.now() >= cached[0]:
        return None
    return cached[1]


def forget(membership: Any) -> None:
    """Drop the cached elevation of `membership` (after granting or ending one in this request)."""
    if membership is not None and hasattr(membership, _CACHE):
        delattr(membership, _CACHE)
