"""Small helpers every web view uses: the acting member, upstream trouble as a message, 404s.

Views call services only. A `PanelError` from a read becomes a `Problem` shown in the page with a
retry button (never a 500); a `NotFoundError` (a missing server, or one outside the member's scope)
becomes a 404 like any other missing page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from panel.accounts.permissions import can
from panel.core.errors import Busy, InvalidInput, NotFoundError, PanelError, RateLimitedError
from panel.services.context import Actor, Ref, parse_ref

__all__ = [
    "Problem",
    "account_choice",
    "actor_for",
    "allowed_actions",
    "chosen_account",
    "error_text",
    "field_errors",
    "object_ref",
    "problem_from",
    "team_accounts",
]


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


def error_text(exc: PanelError) -> str:
    """A write's error for a form; a busy target links the operation holding it (escaped HTML)."""
    if isinstance(exc, Busy) and exc.operation_id is not None:
        url = reverse("operations:detail", kwargs={"pk": exc.operation_id})
        return format_html('{} <a href="{}">Follow that operation</a>.', exc.message, url)
    return exc.message


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


def account_choice(request: HttpRequest) -> dict[str, Any]:
    """What `web/_account_pick.html` needs: the team's accounts by name, the chosen one, its label."""
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    return {
        "accounts": sorted(accounts.items(), key=lambda a: a[1]),
        "account": account,
        "account_label": accounts.get(account or "", ""),
    }


def object_ref(value: str, what: str) -> Ref:
    """`"<account>:<id>"` of a URL as a reference; a malformed one is a 404 like a missing page."""
    try:
        return parse_ref(value, what)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def field_errors(form: Any, exc: InvalidInput, aliases: dict[str, str] | None = None) -> None:
    """VPSBG's field messages next to the form's fields, else above the form.

    VPSBG names list entries `attachments.0` (or `attachments[]`): they go to the list's field;
    `aliases` maps VPSBG's other names for a field (`tech_email`) to the form's.
    """
    aliases = aliases or {}
    for name, errors in exc.fields.items():
        base = name.split(".", 1)[0].removesuffix("[]")
        target = aliases.get(base, base)
        for error in errors:
            form.add_error(target if target in form.fields else None, error)
    if not exc.fields:
        form.add_error(None, exc.message)
