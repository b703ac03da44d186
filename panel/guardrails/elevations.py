"""Time-boxed elevation: a member asks for a higher role for at most 8 h, with a reason; an owner
or admin grants it (an admin up to Admin), and it ends by itself. `elevation.elevated_role` is
what the role table reads at every check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from panel.accounts.models import Membership
from panel.accounts.permissions import ActionDenied, can, require
from panel.accounts.roles import Role
from panel.audit.recorder import actor_name_for
from panel.core.errors import InvalidInput, NotAllowed

from . import auditing, notify
from .elevation import forget
from .models import MAX_ELEVATION_MINUTES, Elevation, ElevationState

__all__ = ["active", "ask", "decide", "end"]

RANK = {Role.VIEWER: 0, Role.BILLING: 1, Role.OPERATOR: 1, Role.ADMIN: 2, Role.OWNER: 3}


def _require(membership: Membership, action: str) -> None:
    try:
        require(membership, action)
    except ActionDenied as exc:
        raise NotAllowed(str(exc)) from None


def active(team: Any) -> list[Elevation]:
    return list(
        Elevation.objects.filter(team=team, state=ElevationState.GRANTED, ends_at__gt=timezone.now())
        .select_related("membership__user", "decided_by")
        .order_by("ends_at")
    )


def ask(membership: Membership, *, role: str, minutes: int, reason: str, request: Any = None) -> Elevation:
    _require(membership, "elevations.request")
    if role not in Role.values or role == membership.role:
        raise InvalidInput("Choose a role other than yours.", fields={"role": "Choose another role."})
    if RANK[Role(role)] < RANK[Role(membership.role)] or role == Role.OWNER:
        raise InvalidInput(
            "Ask for a higher role (Owner is never granted for a while).", fields={"role": "Not higher."}
        )
    if not 15 <= int(minutes) <= MAX_ELEVATION_MINUTES:
        raise InvalidInput(
            "An elevation lasts 15 minutes to 8 hours.", fields={"minutes": "15 to 480 minutes."}
        )
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput("Say why you need it.", fields={"reason": "Give a reason (5 characters or more)."})
    with transaction.atomic():
        elevation = Elevation.objects.create(
            team=membership.team, membership=membership, role=role, minutes=int(minutes), reason=reason[:2000]
        )
        auditing.change(
            user=membership.user,
            team=membership.team,
            name="elevation.requested",
            kind="elevation",
            pk=elevation.pk,
            label=str(elevation),
            before=None,
            after=elevation.snapshot(),
            request=request,
        )
        granters = Membership.objects.filter(
            team=membership.team, role__in=[Role.OWNER, Role.ADMIN]
        ).select_related("user")
        notify.tell(
            [m.user for m in granters if m.pk != membership.pk],
            membership.team,
            f"{actor_name_for(membership.user)} asks to be {Role(role).label} for {minutes} minutes: "
            f"{reason}",
            url=reverse("guardrails:elevations"),
            event="elevation.requested",
        )
    return elevation


def decide(granter: Membership, elevation: Elevation, *, grant: bool, request: Any = None) -> Elevation:
    _require(granter, "elevations.grant")
    if elevation.membership_id == granter.pk:
        raise NotAllowed("You cannot grant your own elevation: another owner or admin must.")
    with transaction.atomic():
        elevation = (
            Elevation.objects.select_for_update().select_related("membership__user").get(pk=elevation.pk)
        )
        if elevation.state != ElevationState.REQUESTED:
            raise InvalidInput(f"This elevation is already {elevation.get_state_display().lower()}.")
        before = elevation.snapshot()
        now = timezone.now()
        elevation.state = ElevationState.GRANTED if grant else ElevationState.REJECTED
        elevation.decided_by = granter.user
        elevation.decided_at = now
        elevation.ends_at = now + timedelta(minutes=elevation.minutes) if grant else None
        elevation.save()
        auditing.change(
            user=granter.user,
            team=elevation.team,
            name="elevation.granted" if grant else "elevation.refused",
            kind="elevation",
            pk=elevation.pk,
            label=str(elevation),
            before=before,
            after=elevation.snapshot(),
            request=request,
        )
        until = f" until {timezone.localtime(elevation.ends_at):%H:%M}" if grant and elevation.ends_at else ""
        notify.tell(
            [elevation.membership.user],
            elevation.team,
            f"Your elevation to {elevation.get_role_display()} was "
            f"{'granted' + until if grant else 'refused'}.",
            url=reverse("guardrails:elevations"),
            event="elevation.granted" if grant else "elevation.refused",
        )
    forget(elevation.membership)
    return elevation


def end(actor: Membership, elevation: Elevation, request: Any = None) -> Elevation:
    """End an elevation early: the elevated member themselves, or an owner/admin."""
    if elevation.membership_id != actor.pk and not can(actor, "elevations.grant"):
        raise InvalidInput("Only the elevated member, an owner or an admin can end an elevation early.")
    with transaction.atomic():
        elevation = (
            Elevation.objects.select_for_update().select_related("membership__user").get(pk=elevation.pk)
        )
        if not elevation.is_active:
            raise InvalidInput("This elevation is not in force.")
        before = elevation.snapshot()
        elevation.state = ElevationState.REVOKED
        elevation.ends_at = timezone.now()
        elevation.save(update_fields=["state", "ends_at"])
        auditing.change(
            user=actor.user,
            team=elevation.team,
            name="elevation.ended",
            kind="elevation",
            pk=elevation.pk,
            label=str(elevation),
            before=before,
            after=elevation.snapshot(),
            request=request,
        )
    return elevation
