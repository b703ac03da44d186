"""Changing the guardrails themselves (Owner only): approval rules, budgets, freezes.

Every change is audited with its before and after (`auditing.change`), in the same transaction.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from panel.accounts.models import Membership
from panel.accounts.permissions import ActionDenied, require
from panel.core.errors import NotAllowed

from . import auditing
from .models import ApprovalRule, Budget, Freeze

__all__ = ["delete", "save"]

M = TypeVar("M", ApprovalRule, Budget, Freeze)
KINDS: dict[type[models.Model], str] = {ApprovalRule: "approval_rule", Budget: "budget", Freeze: "freeze"}


def _require(membership: Membership) -> None:
    try:
        require(membership, "guardrails.manage")
    except ActionDenied as exc:
        raise NotAllowed(str(exc)) from None


def _label(obj: Any) -> str:
    if isinstance(obj, ApprovalRule):
        return obj.describe()
    if isinstance(obj, Budget):
        return f"Budget of {obj.scope_label}"
    return f"Freeze {obj.name}"


def save(membership: Membership, obj: M, *, before: dict[str, Any] | None, request: Any = None) -> M:
    """Create or update `obj` (already filled in and validated) for the member's team."""
    _require(membership)
    kind = KINDS[type(obj)]
    with transaction.atomic():
        obj.team = membership.team
        if hasattr(obj, "created_by") and obj.pk is None:
            obj.created_by = membership.user
        obj.save()
        auditing.change(
            user=membership.user,
            team=membership.team,
            name=f"guardrails.{kind}_{'changed' if before is not None else 'created'}",
            kind=kind,
            pk=obj.pk,
            label=_label(obj),
            before=before,
            after=obj.snapshot(),
            request=request,
        )
    return obj


def delete(membership: Membership, obj: M, *, request: Any = None) -> None:
    _require(membership)
    kind = KINDS[type(obj)]
    with transaction.atomic():
        before, pk, label = obj.snapshot(), obj.pk, _label(obj)
        obj.delete()
        auditing.change(
            user=membership.user,
            team=membership.team,
            name=f"guardrails.{kind}_deleted",
            kind=kind,
            pk=pk,
            label=label,
            before=before,
            after=None,
            request=request,
        )
