"""Small helpers every web view uses: the acting member, upstream trouble as a message, 404s.

Views call services only. A `PanelError` from a read becomes a `Problem` shown in the page with a
retry button (never a 500); a `NotFoundError` (a missing server, or one outside the member's scope)
becomes a 404 like any other missing page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest

from panel.accounts.permissions import can
from panel.core.errors import NotFoundError, PanelError, RateLimitedError
from panel.services.context import Actor

__all__ = ["Problem", "actor_for", "allowed_actions", "chosen_account", "problem_from", "team_accounts"]


def actor_for(request: HttpRequest) -> Actor:
    """The acting member with the request, so audit events get its id, IP and user agent."""
    return Actor(request.membership, request=request)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Problem:
    """Upstream trouble a person can act on: the message, and how long to wait before retrying."""

    message: str
    code: str
    retry_after: int | None = None


def problem_from(exc: PanelError) -> Problem:
    """A `Problem` for a failed read; a not-found one is re-raised as a 404 page."""
    if isinstance(exc, NotFoundError):
        raise Http404(exc.message) from exc
    retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
    return Problem(exc.message, exc.code, retry_after)


def allowed_actions(request: HttpRequest, *operation_ids: str) -> dict[str, bool]:
    """`{operation_id: may this member do it}`, so templates offer only what the role allows."""
    membership = request.membership  # type: ignore[attr-defined]
    return {op: can(membership, op) for op in operation_ids}


def team_accounts(request: HttpRequest) -> dict[str, str]:
    """The team's VPSBG accounts, `{account id: label}`, from its stored tokens."""
    from panel.vault.models import ApiToken

    rows = ApiToken.objects.filter(team=request.team).exclude(account_id="")  # type: ignore[attr-defined]
    return {account: label or account for account, label in rows.values_list("account_id", "account_label")}


def chosen_account(request: HttpRequest, accounts: dict[str, str]) -> str | None:
    """The account of `?account=` (404 when the team has no such account), else the first by name."""
    value = (request.GET.get("account") or request.POST.get("account") or "").strip()
    if value:
        if value not in accounts:
            raise Http404("This team has no such VPSBG account.")
        return value
    return min(accounts, key=lambda a: (accounts[a], a), default=None)
