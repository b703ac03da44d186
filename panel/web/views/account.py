"""Accounts: each VPSBG account's own profile, its own two-factor sign-in and its affiliate programme.

These are the VPSBG account's settings, not the panel user's (the panel's sign-in lives in
`panel.accounts`). The index lists the team's accounts (from its tokens) with a profile summary;
one is chosen with `?account=` like the Library page, and its sections (profile, 2FA, affiliate,
conversions, payouts) each fail on their own with a retry.

The 2FA secret is a sensitive read (the service audits it): it is fetched only when a person asks
for it with a POST, shown once as text and as an SVG QR code, never cached (no-store) and never
stored by the panel; the enable form carries it back in hidden fields. Writes are offered only to
roles that may make them and never to members limited to chosen servers (the services refuse them
account-wide writes anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from panel.accounts.decorators import team_permission_required
from panel.accounts.views.signin import qr_svg
from panel.actions import account as actions
from panel.actions import pipeline
from panel.actions.base import Action
from panel.core.errors import NotFoundError, PanelError, RateLimitedError
from panel.core.sorting import SortOrder, sort_rows
from panel.services import account as account_services
from panel.services.registry import reaches

from .. import action_runs
from ..account_forms import (
    AffiliateActivateForm,
    ProfileForm,
    ReferralCodeForm,
    TwoFactorDisableForm,
    TwoFactorEnableForm,
    profile_initial,
)
from ..common import Problem, actor_for, allowed_actions, chosen_account, team_accounts
from ..htmx import render_page_or_fragment

ACCOUNT_WRITES = (
    "user_update", "user_2fa_get_secret", "user_2fa_enable", "user_2fa_disable",
    "affiliate_activate", "affiliate_update_referral_code",
)  # fmt: skip
SECTIONS = {"conversions": "web/account/_conversions.html", "payouts": "web/account/_payouts.html"}
# VPSBG sorts neither list: the page shown is sorted here by the column clicked.
SORTS = {
    "conversions": SortOrder(
        {"date": "created_at", "order": "order_id", "amount": "amount", "commission": "commission",
         "status": "status"},
        default="-date", param="csort", page_param="cpage", table="conversions",
    ),
    "payouts": SortOrder(
        {"date": "created_at", "amount": "amount", "method": "method", "status": "status"},
        default="-date", param="posort", page_param="ppage", table="payouts",
    ),
}  # fmt: skip
# VPSBG's names for the profile fields (the reference's example body) -> the form's names.
UPSTREAM_FIELD_NAMES = {"tech_email": "technical_email", "aff_hash": "referral_code", "company_number": "uic"}
NO_ACCOUNT = "This team has no VPSBG account yet: an owner or admin can add a token on the Tokens page."


# -- helpers -----------------------------------------------------------------------------------------
def _may(request: HttpRequest) -> dict[str, bool]:
    """The writes to offer: the role's, and none for a member limited to chosen servers."""
    may = allowed_actions(request, *ACCOUNT_WRITES)
    if request.membership.is_server_limited:  # type: ignore[attr-defined]
        return dict.fromkeys(may, False)
    return may


def _account_url(account: str | None, anchor: str = "") -> str:
    query = f"?{urlencode({'account': account})}" if account else ""
    return f"{reverse('web:account')}{query}{'#' + anchor if anchor else ''}"


def _problem(exc: PanelError) -> Problem:
    """Like `common.problem_from`, but a missing thing is shown in its section, not as a 404 page."""
    retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
    return Problem(exc.message, exc.code, retry_after)


def _read(fetch: Callable[[], Any]) -> tuple[Any, Problem | None]:
    """One section's data, or the problem to show in its place."""
    try:
        return fetch(), None
    except PanelError as exc:
        return None, _problem(exc)


def _page_number(request: HttpRequest, name: str) -> int:
    try:
        return max(1, min(int(request.GET.get(name, "1")), 10_000))
    except ValueError:
        return 1


def _pager(request: HttpRequest, page: Any, param: str, section: str) -> dict[str, Any]:
    """Previous/next links of one paged list, keeping the other parameters of the page."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        query.pop("section", None)
        return f"{reverse('web:account')}?{query.urlencode()}"

    current, last = page.current_page, page.last_page
    return {
        "current": current,
        "last": last,
        "total": page.total,
        "section": section,
        "previous": url(current - 1) if current > 1 else None,
        "next": url(current + 1) if page.has_next else None,
    }


def _authorise(request: HttpRequest, action: Action) -> pipeline.Grant | HttpResponse:
    """The pipeline's authorisation of a POST (first: a refused role learns nothing more), or the
    refusal page to return."""
    try:
        return action_runs.authorise(request, action, action_runs.requested_account(request))
    except action_runs.Denied as denied:
        return denied.response


def _run(
    request: HttpRequest, action: Action, form: Any, account: str, grant: pipeline.Grant, data: Any = None
) -> bool:
    """Run the action; its failure goes onto the form (next to the fields VPSBG names)."""
    try:
        outcome = action_runs.submit(
            request, action, form, target=account, grant=grant, data=data, aliases=UPSTREAM_FIELD_NAMES
        )
    except Http404 as exc:
        form.add_error(None, str(exc))
        return False
    return outcome is not None


def _no_account(request: HttpRequest) -> HttpResponse:
    messages.error(request, NO_ACCOUNT)
    return redirect(reverse("web:account"))


# -- the index -----------------------------------------------------------------------------------------
def _summaries(request: HttpRequest, accounts: dict[str, str]) -> list[dict[str, Any]]:
    """Each account of the team with its profile (or the problem reading it)."""
    actor = actor_for(request)
    rows = []
    for account_id, label in sorted(accounts.items(), key=lambda a: (a[1], a[0])):
        user, problem = _read(partial(account_services.user_get, actor=actor, account=account_id))
        rows.append({"id": account_id, "label": label, "user": user, "problem": problem})
    return rows


def _affiliate_context(request: HttpRequest, account: str) -> dict[str, Any]:
    """The affiliate section: VPSBG answers 404 while the programme is not active for the account."""
    actor = actor_for(request)
    context: dict[str, Any] = {"affiliate_active": False}
    try:
        context["affiliate"] = account_services.affiliate_get(actor=actor, account=account)
    except NotFoundError:
        return context
    except PanelError as exc:
        context["affiliate_problem"] = _problem(exc)
        return context
    context["affiliate_active"] = True
    lists = {
        "conversions": (account_services.affiliate_conversions_list, "cpage"),
        "payouts": (account_services.affiliate_payouts_list, "ppage"),
    }
    for name, (fetch, param) in lists.items():
        page, problem = _read(partial(fetch, actor=actor, account=account, page=_page_number(request, param)))
        context[name], context[f"{name}_problem"] = page, problem
        if page is not None:
            context[f"{name}_pager"] = _pager(request, page, param, name)
            context[f"{name}_sort"] = sort_rows(page, SORTS[name], request.GET)
            context[name] = context[f"{name}_sort"].rows
    return context


def _index(
    request: HttpRequest, *, referral_form: Any = None, status: int = 200
) -> HttpResponse:
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    context: dict[str, Any] = {
        "accounts": sorted(accounts.items(), key=lambda a: a[1]),
        "account": account,
        "account_label": accounts.get(account or "", ""),
        "may": _may(request),
        "referral_form": referral_form or ReferralCodeForm(),
    }
    if account is not None:
        context["summaries"] = _summaries(request, accounts)
        chosen = next(row for row in context["summaries"] if row["id"] == account)
        context["user"], context["user_problem"] = chosen["user"], chosen["problem"]
        context.update(_affiliate_context(request, account))
    section = request.GET.get("section", "")
    fragment = SECTIONS.get(section, "web/account/index.html")
    return render_page_or_fragment(request, "web/account/index.html", fragment, context, status=status)


@reaches("user_get", "affiliate_get", "affiliate_conversions_list", "affiliate_payouts_list")
@team_permission_required("user_get")
@require_http_methods(["GET", "HEAD"])
def account_index(request: HttpRequest) -> HttpResponse:
    """The team's VPSBG accounts; for the chosen one its profile, 2FA state and affiliate programme."""
    return _index(request)


# -- profile ---------------------------------------------------------------------------------------------
@reaches("user_get", "user_update")
@team_permission_required("user_update", writes=False)
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit the account's profile and company details (only the changed fields are sent)."""
    grant = _authorise(request, actions.PROFILE_UPDATE) if request.method == "POST" else None
    if isinstance(grant, HttpResponse):
        return grant
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    if account is None:
        return _no_account(request)
    context: dict[str, Any] = {
        "account": account,
        "account_label": accounts[account],
        "back": _account_url(account, "profile"),
    }
    actor = actor_for(request)
    user, context["problem"] = _read(lambda: account_services.user_get(actor=actor, account=account))
    if user is None:
        return render(request, "web/account/profile.html", context)
    initial = profile_initial(user)
    context["user"] = user
    if request.method != "POST":
        context["form"] = ProfileForm(initial=initial)
        return render(request, "web/account/profile.html", context)
    form = ProfileForm(request.POST, initial=initial)
    context["form"] = form
    if form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing changed, so nothing was sent to VPSBG.")
            return redirect(_account_url(account, "profile"))
        assert grant is not None
        if _run(request, actions.PROFILE_UPDATE, form, account, grant, data=changes):
            messages.success(request, "Profile saved at VPSBG.")
            return redirect(_account_url(account, "profile"))
    return render(request, "web/account/profile.html", context, status=422)


# -- the account's two-factor sign-in ---------------------------------------------------------------------
def _otp_url(secret: str, label: str) -> str:
    """The otpauth URL when VPSBG did not give one (same shape as the reference's example)."""
    return (
        f"otpauth://totp/VPSBG:{quote(label)}?secret={secret}&issuer=VPSBG&algorithm=SHA1&digits=6&period=30"
    )


def _setup_page(
    request: HttpRequest, account: str, label: str, form: Any, status: int = 200
) -> HttpResponse:
    secret = form.data.get("secret_key") if form.is_bound else form.initial.get("secret_key")
    url = (form.data.get("otp_auth_url") if form.is_bound else form.initial.get("otp_auth_url")) or ""
    secret = (secret or "").strip()
    if secret and not url.startswith("otpauth://"):
        url = _otp_url(secret, label)
    context = {
        "account": account,
        "account_label": label,
        "form": form,
        "secret": secret,
        # segno's inline SVG (no script, no data URL): allowed by the page's CSP.
        "qr_svg": mark_safe(qr_svg(url)) if secret else "",  # noqa: S308
        "back": _account_url(account, "two-factor"),
    }
    return render(request, "web/account/two_factor_setup.html", context, status=status)


@never_cache
@reaches("user_2fa_get_secret")
@team_permission_required("user_2fa_get_secret")
@require_http_methods(["GET", "POST"])
def two_factor_secret(request: HttpRequest) -> HttpResponse:
    """GET: what enabling does and a button; POST: ask VPSBG for a secret (audited) and show it once."""
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    if account is None:
        return _no_account(request)
    context: dict[str, Any] = {
        "account": account,
        "account_label": accounts[account],
        "back": _account_url(account, "two-factor"),
        "retry_url": f"{reverse('web:account_2fa_secret')}?{urlencode({'account': account})}",
    }
    if request.method != "POST":
        return render(request, "web/account/two_factor_setup.html", context)
    actor = actor_for(request)
    secret, context["problem"] = _read(
        lambda: account_services.user_2fa_get_secret(actor=actor, account=account)
    )
    if secret is None or not secret.secret_key:
        context["problem"] = context["problem"] or Problem("VPSBG gave no secret; try again.", "no_secret")
        return render(request, "web/account/two_factor_setup.html", context)
    form = TwoFactorEnableForm(
        initial={"secret_key": secret.secret_key, "otp_auth_url": secret.otp_auth_url or ""}
    )
    return _setup_page(request, account, accounts[account], form)


@never_cache
@reaches("user_2fa_enable")
@team_permission_required("user_2fa_enable", writes=False)
@require_POST
def two_factor_enable(request: HttpRequest) -> HttpResponse:
    """Turn the account's 2FA on with the secret shown and a current code (errors keep the secret)."""
    grant = _authorise(request, actions.TWO_FACTOR_ENABLE)
    if isinstance(grant, HttpResponse):
        return grant
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    if account is None:
        return _no_account(request)
    form = TwoFactorEnableForm(request.POST)
    if form.is_valid() and _run(request, actions.TWO_FACTOR_ENABLE, form, account, grant):
        messages.success(request, f"Two-factor sign-in is now on for the VPSBG account {accounts[account]}.")
        return redirect(_account_url(account, "two-factor"))
    return _setup_page(request, account, accounts[account], form, status=422)


@never_cache
@reaches("user_get", "user_2fa_disable")
@team_permission_required("user_2fa_disable", writes=False)
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """A confirmation (what it means, a current code, the account's e-mail typed), then DELETE /user/2fa."""
    grant = _authorise(request, actions.TWO_FACTOR_DISABLE) if request.method == "POST" else None
    if isinstance(grant, HttpResponse):
        return grant
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    if account is None:
        return _no_account(request)
    actor = actor_for(request)
    context: dict[str, Any] = {
        "account": account,
        "account_label": accounts[account],
        "back": _account_url(account, "two-factor"),
    }
    user, context["problem"] = _read(lambda: account_services.user_get(actor=actor, account=account))
    if user is None:
        return render(request, "web/account/two_factor_disable.html", context)
    context["user"] = user
    email = user.email or account
    form = TwoFactorDisableForm(request.POST if request.method == "POST" else None, email=email)
    context["form"] = form
    if request.method != "POST":
        return render(request, "web/account/two_factor_disable.html", context)
    assert grant is not None
    if form.is_valid() and _run(request, actions.TWO_FACTOR_DISABLE, form, account, grant):
        messages.success(request, f"Two-factor sign-in is now off for the VPSBG account {accounts[account]}.")
        return redirect(_account_url(account, "two-factor"))
    return render(request, "web/account/two_factor_disable.html", context, status=422)


# -- affiliate ---------------------------------------------------------------------------------------------
@reaches("affiliate_get", "affiliate_activate")
@team_permission_required("affiliate_activate", writes=False)
@require_http_methods(["GET", "POST"])
def affiliate_activate(request: HttpRequest) -> HttpResponse:
    """A confirmation of what joining the affiliate programme means, then the activation."""
    grant = _authorise(request, actions.AFFILIATE_ACTIVATE) if request.method == "POST" else None
    if isinstance(grant, HttpResponse):
        return grant
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    if account is None:
        return _no_account(request)
    actor = actor_for(request)
    context: dict[str, Any] = {
        "account": account,
        "account_label": accounts[account],
        "back": _account_url(account, "affiliate"),
    }
    try:
        context["affiliate"] = account_services.affiliate_get(actor=actor, account=account)
    except NotFoundError:
        pass  # not active yet: what this page is for
    except PanelError as exc:
        context["problem"] = _problem(exc)
        return render(request, "web/account/affiliate_activate.html", context)
    if context.get("affiliate") is not None:
        return render(request, "web/account/affiliate_activate.html", context)
    form = AffiliateActivateForm(request.POST if request.method == "POST" else None)
    context["form"] = form
    if request.method != "POST":
        return render(request, "web/account/affiliate_activate.html", context)
    assert grant is not None
    if form.is_valid() and _run(request, actions.AFFILIATE_ACTIVATE, form, account, grant, data={}):
        messages.success(request, "The affiliate programme is active: share the referral link.")
        return redirect(_account_url(account, "affiliate"))
    return render(request, "web/account/affiliate_activate.html", context, status=422)


@reaches("affiliate_update_referral_code")
@team_permission_required("affiliate_update_referral_code", writes=False)
@require_POST
def referral_code_update(request: HttpRequest) -> HttpResponse:
    """Change the referral code (and so the link); errors re-render the Accounts page beside the field."""
    grant = _authorise(request, actions.REFERRAL_CODE)
    if isinstance(grant, HttpResponse):
        return grant
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    if account is None:
        return _no_account(request)
    form = ReferralCodeForm(request.POST)
    if form.is_valid() and _run(request, actions.REFERRAL_CODE, form, account, grant):
        messages.success(request, f"Referral code changed to “{form.cleaned_data['referral_code']}”.")
        return redirect(_account_url(account, "affiliate"))
    return _index(request, referral_form=form, status=422)
