"""Audit events of the guardrails: decisions, and policy changes with their before and after."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from panel.audit import recorder as audit

__all__ = ["change", "event"]


def event(
    *,
    user: Any,
    team: Any,
    name: str,
    outcome: str = audit.Outcome.OK,
    target_type: str = "",
    target_id: Any = "",
    target_label: str = "",
    params: dict[str, Any] | None = None,
    reason: str = "",
    url: str = "",
    request: HttpRequest | None = None,
    api_token_label: str | None = None,
) -> None:
    audit.record(
        actor=user,
        api_token_label=api_token_label,
        team=team,
        operation_id=name,
        target_type=target_type,
        target_id=str(target_id)[:128],
        target_label=target_label[:255],
        params=params or {},
        outcome=outcome,
        request=request,
        operation_url=url,
        reason=reason,
    )


def change(
    *,
    user: Any,
    team: Any,
    name: str,
    kind: str,
    pk: Any,
    label: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    request: HttpRequest | None = None,
    url: str = "",
) -> None:
    """A rule, budget, freeze or elevation changed: both sides are kept (None = created/deleted)."""
    event(
        user=user,
        team=team,
        name=name,
        target_type=kind,
        target_id=pk,
        target_label=label,
        params={"before": before, "after": after},
        request=request,
        url=url,
    )
