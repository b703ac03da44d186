"""Creating and revoking panel API tokens (the web pages and the API call these).

The plaintext is returned once by `create_token` and never stored; both actions are audit events
of the team (`panel_api_token.create`, `panel_api_token.revoke`), a refused revocation too.
A member revokes their own tokens; another member's needs `members.manage`, and an owner's
needs an owner (`may_revoke`), as for memberships.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from panel.accounts.permissions import ActionDenied, outranked, require
from panel.audit import recorder as audit
from panel.core.errors import InvalidInput
from panel.services.context import Actor

from .models import PanelApiToken, hash_token, new_plaintext

__all__ = ["MAX_ALLOWED_IPS", "create_token", "may_revoke", "parse_allowed_ips", "revoke"]

MAX_ALLOWED_IPS = 50


def parse_allowed_ips(text: str) -> list[str]:
    """Addresses or CIDR networks, one per line or comma-separated; `InvalidInput` names the bad one."""
    entries = [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]
    if len(entries) > MAX_ALLOWED_IPS:
        raise InvalidInput(f"At most {MAX_ALLOWED_IPS} addresses.", fields={"allowed_ips": ["Too many."]})
    networks = []
    for entry in entries:
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            raise InvalidInput(
                f"“{entry[:60]}” is not an IP address or network.",
                fields={
                    "allowed_ips": [
                        f"“{entry[:60]}” is not an IP address or network (e.g. 203.0.113.7 "
                        "or 203.0.113.0/24)."
                    ]
                },
            ) from None
    return networks


def _record(
    token: PanelApiToken, operation: str, actor: Actor, outcome: str = "ok", reason: str = ""
) -> None:
    audit.record(
        actor=actor.user,
        api_token_label=actor.api_token_label,
        team=token.membership.team,
        operation_id=operation,
        target_type="panel_api_token",
        target_id=str(token.pk),
        target_label=token.audit_label,
        params={
            "read_only": token.read_only,
            "allowed_ips": token.allowed_ips,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "member": token.membership.user.email,
        },
        outcome=outcome,
        reason=reason,
        request=actor.request,
    )


def create_token(
    *,
    actor: Actor,
    label: str,
    read_only: bool = False,
    expires_at: datetime | None = None,
    allowed_ips: list[str] | None = None,
) -> tuple[PanelApiToken, str]:
    """A new token for the actor's own membership, and its plaintext (show it once)."""
    label = (label or "").strip()
    if not label or len(label) > 100:
        raise InvalidInput(
            "Name the token (1 to 100 characters).", fields={"label": ["1 to 100 characters."]}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput("The expiry must be in the future.", fields={"expires_at": ["In the future."]})
    plaintext = new_plaintext()
    with transaction.atomic():
        token = PanelApiToken.objects.create(
            membership=actor.membership,
            label=label,
            token_hash=hash_token(plaintext),
            prefix=plaintext[:8],
            read_only=read_only,
            allowed_ips=list(allowed_ips or []),
            expires_at=expires_at,
        )
        _record(token, "panel_api_token.create", actor)
    return token, plaintext


def _require_may_revoke(membership: Any, token: PanelApiToken) -> None:
    if token.membership_id == membership.pk:
        return
    require(membership, "members.manage")
    if outranked(membership, token.membership):
        raise ActionDenied("Only an owner may revoke the API token of an owner.")


def may_revoke(membership: Any, token: PanelApiToken) -> bool:
    """Whether `membership` may revoke `token` (pages offer the button only then)."""
    try:
        _require_may_revoke(membership, token)
    except ActionDenied:
        return False
    return True


def revoke(token: PanelApiToken, *, actor: Actor | Any) -> None:
    """Revoke at once (the next request with it is a 401); idempotent.

    `ActionDenied` (audited) when the actor may not revoke another member's token.
    """
    try:
        _require_may_revoke(actor.membership, token)
    except ActionDenied as exc:
        _record(token, "panel_api_token.revoke", actor, outcome=audit.Outcome.DENIED, reason=str(exc))
        raise
    with transaction.atomic():
        updated = PanelApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            token.refresh_from_db()
            _record(token, "panel_api_token.revoke", actor)
