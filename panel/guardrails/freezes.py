"""Change freezes: which window is in force, the refusal that names it, and breaking the glass."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from panel.accounts.models import Membership
from panel.accounts.permissions import ActionDenied, require
from panel.accounts.roles import Role
from panel.audit.recorder import Outcome, actor_name_for
from panel.core.errors import InvalidInput, NotAllowed

from . import auditing, notify
from .models import BreakGlass, Freeze, FreezeScope, zone

__all__ = ["MAX_BREAK_MINUTES", "active_windows", "break_glass", "refusal"]

MAX_BREAK_MINUTES = 4 * 60


def active_windows(team: Any, now: datetime | None = None) -> list[tuple[Freeze, datetime, datetime]]:
    now = now or timezone.now()
    found = []
    for freeze in Freeze.objects.filter(team=team, enabled=True):
        window = freeze.window_at(now)
        if window is not None:
            found.append((freeze, *window))
    return found


def glass_of(freeze: Freeze, now: datetime | None = None) -> BreakGlass | None:
    return freeze.break_glass.filter(expires_at__gt=now or timezone.now()).first()


def refusal(requests: Sequence[Any], *, audit_bypass: bool = True) -> str | None:
    """Why a freeze refuses this batch (naming the window), or None. A broken glass lets it pass,
    and each request that passes that way is audited loudly."""
    if not requests:
        return None
    team = requests[0].actor.team
    now = timezone.now()
    for freeze, _start, end in active_windows(team, now):
        hit = [r for r in requests if freeze.covers(r.action.risk)]
        if not hit:
            continue
        glass = glass_of(freeze, now)
        if glass is not None:
            if audit_bypass:
                for request in hit:
                    auditing.event(
                        user=request.actor.user,
                        team=team,
                        name="freeze.bypassed",
                        target_type=request.action.target.value,
                        target_id=request.target,
                        target_label=request.target,
                        params={
                            "freeze": freeze.name,
                            "action": request.action.name,
                            "break_glass": glass.pk,
                        },
                        reason=f"BREAK GLASS by {glass.name}: {glass.reason}",
                        request=request.actor.request,
                        api_token_label=request.actor.api_token_label,
                    )
            continue
        first = hit[0]
        what = first.action.label + (f" (and {len(hit) - 1} more)" if len(hit) > 1 else "")
        scope = "destructive actions" if freeze.scope == FreezeScope.DESTRUCTIVE else "every change"
        until = end.astimezone(zone(freeze.time_zone))
        return (
            f"Change freeze “{freeze.name}” ({freeze.describe()}) is in force until "
            f"{until:%Y-%m-%d %H:%M} {freeze.time_zone}: {scope} are refused, so {what} did not run. "
            "An owner can break the glass, with a reason, on the Guardrails page."
        )
    return None


def break_glass(
    membership: Membership, freeze: Freeze, *, reason: str, minutes: int, request: Any = None
) -> BreakGlass:
    """An owner lifts `freeze` for everyone for `minutes` (at most 4 h, never past the window)."""
    try:
        require(membership, "freezes.break_glass")
    except ActionDenied as exc:
        raise NotAllowed(str(exc)) from None
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput(
            "Say why the glass is broken.", fields={"reason": "Give a reason (5 characters or more)."}
        )
    if not 1 <= minutes <= MAX_BREAK_MINUTES:
        raise InvalidInput(
            f"Break the glass for 1 to {MAX_BREAK_MINUTES} minutes.", fields={"minutes": "Out of range."}
        )
    now = timezone.now()
    window = freeze.window_at(now)
    if window is None:
        raise InvalidInput(f"The freeze “{freeze.name}” is not in force now: there is no glass to break.")
    expires = min(now + timedelta(minutes=minutes), window[1])
    user = membership.user
    with transaction.atomic():
        glass = BreakGlass.objects.create(
            freeze=freeze, user=user, name=actor_name_for(user), reason=reason[:2000], expires_at=expires
        )
        auditing.event(
            user=user,
            team=freeze.team,
            name="freezes.break_glass",
            outcome=Outcome.OK,
            target_type="freeze",
            target_id=freeze.pk,
            target_label=freeze.name,
            params={"freeze": freeze.snapshot(), "until": expires.isoformat(), "minutes": minutes},
            reason=f"BREAK GLASS: {reason}",
            request=request,
        )
        people = [
            m.user
            for m in Membership.objects.filter(
                team=freeze.team, role__in=[Role.OWNER, Role.ADMIN]
            ).select_related("user")
        ]
        notify.tell(
            people,
            freeze.team,
            f"BREAK GLASS: {actor_name_for(user)} lifted the change freeze “{freeze.name}” until "
            f"{expires.astimezone(zone(freeze.time_zone)):%H:%M} {freeze.time_zone}. Reason: {reason}",
            url=reverse("guardrails:freezes"),
            level="warning",
            event="freeze.break_glass",
        )
    return glass
