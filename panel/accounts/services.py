"""Writes to people, teams, memberships and invitations.

Views (and later the REST API) are thin adapters over these functions, so each rule lives once:
who may invite whom, that only owners make owners, and that a team always keeps an owner.
Every function takes the acting membership first and raises `AccountsError` (a message a person
can act on) or `ActionDenied` (the role does not allow it).
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from panel.audit import recorder as audit

from .models import Invitation, Membership, Team, User, hash_invitation_token
from .permissions import ActionDenied, outranked, require
from .roles import Role

__all__ = [
    "AccountsError",
    "IssuedInvitation",
    "accept_invitation",
    "change_role",
    "create_team",
    "find_invitation",
    "invite_member",
    "leave_team",
    "parse_server_scope",
    "remove_member",
    "revoke_invitation",
    "set_server_scope",
    "sign_out_other_sessions",
    "update_team_settings",
]

# `<VPSBG account id>:<server id>`; the account id is the account's email (see the vault), so no colon.
SERVER_REF = re.compile(r"^[^\s,:]{1,254}:\d{1,18}$")


class AccountsError(Exception):
    """A request the rules refuse; `str(error)` tells the person what to do instead."""


@contextmanager
def _audited(
    operation_id: str, *, actor: User | None, team: Team | None, params: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Run a write in a transaction with its audit event; refusals are recorded too.

    The body fills the yielded dict with `target_type`, `target_id`, `target_label` (and may
    replace `team` or `actor`). The OK event commits with the change; a denial or refused request rolls the
    change back and is recorded afterwards, so attempts are visible in the log.
    """
    event: dict[str, Any] = {"team": team, "actor": actor}
    try:
        with transaction.atomic():
            yield event
            audit.record(operation_id=operation_id, params=params, outcome=audit.Outcome.OK, **event)
    except (ActionDenied, AccountsError) as error:
        outcome = audit.Outcome.DENIED if isinstance(error, ActionDenied) else audit.Outcome.FAILED
        if event.get("actor") is not None and event["actor"].pk is None:
            event["actor"] = None  # an account created in the rolled-back transaction
        audit.record(operation_id=operation_id, params=params, outcome=outcome, reason=str(error), **event)
        raise


def _member_target(event: dict[str, Any], membership: Membership) -> None:
    event.update(target_type="membership", target_id=membership.pk,
                 target_label=membership.user.email)


def invitation_ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "ACCOUNTS_INVITATION_TTL_HOURS", 72))


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise AccountsError(f"Unknown role {value!r}; choose one of {', '.join(Role.values)}.") from None


def _ensure_may_grant(actor: Membership, role: Role) -> None:
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise ActionDenied("Only an owner may make someone an owner.")


def _ensure_may_touch(actor: Membership, target: Membership) -> None:
    if target.team_id != actor.team_id:
        raise AccountsError("That person is not a member of this team.")
    if outranked(actor, target):
        raise ActionDenied("Only an owner may change or remove another owner.")


def _ensure_another_owner(target: Membership) -> None:
    """The one rule keeping a team governable: never leave it without an owner.

    Locks the team's owner rows so two concurrent demotions cannot both pass.
    """
    if target.role != Role.OWNER:
        return
    owners = list(
        Membership.objects.select_for_update()
        .filter(team_id=target.team_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    if not [pk for pk in owners if pk != target.pk]:
        raise AccountsError(
            f"{target.team.name} must keep at least one owner. Make someone else an owner first."
        )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:80] or "team"
    slug = base
    while Team.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def create_team(*, user: User, name: str) -> Membership:
    """Create a team; its creator becomes its first owner."""
    name = (name or "").strip()
    with _audited("team.create", actor=user, team=None, params={"name": name}) as event:
        if not name:
            raise AccountsError("Give the team a name.")
        if len(name) > 100:
            raise AccountsError("A team name has at most 100 characters.")
        team = Team.objects.create(name=name, slug=_unique_slug(name))
        membership = Membership.objects.create(team=team, user=user, role=Role.OWNER)
        event.update(team=team, target_type="team", target_id=team.pk, target_label=team.name)
    return membership


def update_team_settings(actor: Membership, *, name: str, require_2fa: bool) -> Team:
    name = (name or "").strip()
    params = {"name": name, "require_2fa": require_2fa}
    with _audited("team.settings", actor=actor.user, team=actor.team, params=params) as event:
        event.update(target_type="team", target_id=actor.team_id, target_label=actor.team.name)
        require(actor, "team.settings")
        if not name or len(name) > 100:
            raise AccountsError("A team name has 1 to 100 characters.")
        team = Team.objects.select_for_update().get(pk=actor.team_id)
        team.name = name
        team.require_2fa = require_2fa
        team.save(update_fields=["name", "require_2fa"])
    return team


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # only here, only once: it goes into the emailed link


def invite_member(
    actor: Membership, *, email: str, role: Role | str, accept_url_for: Callable[[str], str] | None = None
) -> IssuedInvitation:
    """Invite `email` to the actor's team with `role` and email the link (after the commit).

    `accept_url_for(token) -> absolute URL` builds the link (the view knows the host). Inviting an
    address that already has an open (not accepted, not withdrawn) invitation refreshes that one
    invitation and sends it again: a new link (the old one stops working), the new role, a new
    expiry. The team keeps one invitation per address, and the person one link that works.
    """
    email = User.objects.normalize_email((email or "").strip()).lower()
    params: dict[str, Any] = {"email": email, "role": str(role)}
    with _audited("members.invite", actor=actor.user, team=actor.team, params=params) as event:
        event.update(target_type="invitation", target_label=email)
        require(actor, "members.manage")
        role = _role(role)
        _ensure_may_grant(actor, role)
        try:
            validate_email(email)
        except ValidationError:
            raise AccountsError("Enter a valid email address.") from None
        if Membership.objects.filter(team_id=actor.team_id, user__email__iexact=email).exists():
            raise AccountsError(f"{email} is already a member of {actor.team.name}.")
        now = timezone.now()
        token = secrets.token_urlsafe(32)
        fresh = {
            "role": role,
            "token_hash": hash_invitation_token(token),
            "invited_by": actor.user,
            "expires_at": now + invitation_ttl(),
        }
        open_ones = Invitation.objects.select_for_update().filter(
            team_id=actor.team_id, email__iexact=email, accepted_at=None, revoked_at=None
        )
        invitation = open_ones.order_by("-created_at", "-pk").first()
        if invitation is None:
            invitation = Invitation.objects.create(team_id=actor.team_id, email=email, **fresh)
        else:
            if invitation.role == Role.OWNER and actor.role != Role.OWNER:
                raise ActionDenied("Only an owner may change an invitation to become an owner.")
            for name, value in fresh.items():
                setattr(invitation, name, value)
            invitation.save(update_fields=list(fresh))
            open_ones.exclude(pk=invitation.pk).update(revoked_at=now)  # older duplicates, if any
            params["resent"] = True
        event["target_id"] = invitation.pk
        if accept_url_for is not None:
            context = {"invitation": invitation, "link": accept_url_for(token), "inviter": actor.user}
            message = render_to_string("accounts/email/invitation.txt", context)
            subject = f"You are invited to {actor.team.name}"
            transaction.on_commit(lambda: send_mail(subject, message, None, [email]))
    return IssuedInvitation(invitation=invitation, token=token)


def revoke_invitation(actor: Membership, invitation: Invitation) -> None:
    params = {"email": invitation.email}
    with _audited("members.revoke_invitation", actor=actor.user, team=actor.team, params=params) as event:
        event.update(target_type="invitation", target_id=invitation.pk, target_label=invitation.email)
        require(actor, "members.manage")
        if invitation.team_id != actor.team_id:
            raise AccountsError("That invitation belongs to another team.")
        if invitation.role == Role.OWNER and actor.role != Role.OWNER:
            raise ActionDenied("Only an owner may revoke an invitation to become an owner.")
        if invitation.accepted_at is None and invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])


def find_invitation(token: str) -> Invitation:
    """The invitation behind a link, or AccountsError saying why the link no longer works."""
    invitation = (
        Invitation.objects.select_related("team")
        .filter(token_hash=hash_invitation_token(token or ""))
        .first()
    )
    if invitation is None:
        raise AccountsError("This invitation link is not valid. Ask the team for a new one.")
    if invitation.accepted_at is not None:
        raise AccountsError("This invitation has already been used. Sign in to reach the team.")
    if invitation.revoked_at is not None:
        raise AccountsError("This invitation was withdrawn. Ask the team for a new one.")
    if invitation.is_expired:
        raise AccountsError("This invitation has expired. Ask the team for a new one.")
    return invitation


def accept_invitation(
    *, token: str, user: User | None = None, password: str | None = None, full_name: str = ""
) -> Membership:
    """Use an invitation once: for the signed-in `user`, or create the account with `password`.

    The invitation is bound to its email address: another signed-in person cannot use it.
    """
    found = find_invitation(token)
    with _audited("members.accept_invitation", actor=user, team=found.team,
                  params={"email": found.email, "role": found.role}) as event:
        event.update(target_type="invitation", target_id=found.pk, target_label=found.email)
        invitation = Invitation.objects.select_for_update().select_related("team").get(pk=found.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise AccountsError("This invitation has already been used. Sign in to reach the team.")
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise AccountsError(f"An account for {invitation.email} exists: sign in to accept.")
            candidate = User(email=invitation.email, full_name=(full_name or "").strip()[:150])
            try:
                validate_password(password or "", user=candidate)
            except ValidationError as error:
                raise AccountsError(" ".join(error.messages)) from None
            user = User.objects.create_user(invitation.email, password, full_name=candidate.full_name)
        elif user.email.lower() != invitation.email.lower():
            raise AccountsError(
                f"This invitation is for {invitation.email}; you are signed in as {user.email}."
            )
        try:
            with transaction.atomic():
                membership = Membership.objects.create(team=invitation.team, user=user, role=invitation.role)
        except IntegrityError:
            raise AccountsError(f"You are already a member of {invitation.team.name}.") from None
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        event["actor"] = user
    return membership


def change_role(actor: Membership, target: Membership, role: Role | str) -> Membership:
    with _audited("members.change_role", actor=actor.user, team=actor.team,
                  params={"from": target.role, "to": str(role)}) as event:
        _member_target(event, target)
        require(actor, "members.manage")
        role = _role(role)
        target = Membership.objects.select_for_update().select_related("team", "user").get(pk=target.pk)
        _ensure_may_touch(actor, target)
        _ensure_may_grant(actor, role)
        if role != Role.OWNER:
            _ensure_another_owner(target)
        target.role = role
        target.save(update_fields=["role"])
    return target


def remove_member(actor: Membership, target: Membership) -> None:
    with _audited("members.remove", actor=actor.user, team=actor.team, params={"role": target.role}) as event:
        _member_target(event, target)
        require(actor, "members.manage")
        target = Membership.objects.select_for_update().select_related("team").get(pk=target.pk)
        _ensure_may_touch(actor, target)
        _ensure_another_owner(target)
        target.delete()


def leave_team(member: Membership) -> None:
    """Leave a team; the last owner must hand ownership over first."""
    params = {"role": member.role}
    with _audited("members.leave", actor=member.user, team=member.team, params=params) as event:
        _member_target(event, member)
        member = Membership.objects.select_for_update().select_related("team").get(pk=member.pk)
        _ensure_another_owner(member)
        member.delete()


def parse_server_scope(text: str) -> list[str]:
    """Parse `account:server` ids separated by commas, spaces or new lines; empty = all servers."""
    refs = [part for part in re.split(r"[\s,]+", text or "") if part]
    bad = [ref for ref in refs if not SERVER_REF.match(ref)]
    if bad:
        raise AccountsError(
            f"Not a server id: {', '.join(bad[:5])}. "
            "Write each as <account id>:<server id>, e.g. ops@example.com:2864."
        )
    return list(dict.fromkeys(refs))


def set_server_scope(actor: Membership, target: Membership, servers: list[str]) -> Membership:
    """Limit a member to chosen servers (empty list: every server of the team)."""
    with _audited("members.limit_servers", actor=actor.user, team=actor.team,
                  params={"servers": list(servers)}) as event:
        _member_target(event, target)
        require(actor, "members.manage")
        target = Membership.objects.select_for_update().select_related("team").get(pk=target.pk)
        _ensure_may_touch(actor, target)
        bad = [ref for ref in servers if not SERVER_REF.match(ref)]
        if bad:
            raise AccountsError(f"Not a server id: {', '.join(bad[:5])}.")
        if servers and target.role == Role.OWNER:
            raise AccountsError("An owner always sees every server of the team.")
        target.server_scope = list(dict.fromkeys(servers))
        target.save(update_fields=["server_scope"])
    return target


def sign_out_other_sessions(user: User) -> None:
    """Invalidate every session of `user`; the caller keeps its own with update_session_auth_hash."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
