"""The team's token pages: list, add, replace the secret, check now, delete.

Thin adapters over `panel.services.tokens`: they validate the form, call one service and render.
Tokens are always looked up inside the current team, so another team's token answers 404.
The typed secret is never rendered back (see `forms.SecretField`).
"""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from panel.accounts.decorators import team_permission_required
from panel.accounts.permissions import can
from panel.core.sorting import SortOrder, sort_rows
from panel.services import tokens as token_services
from panel.services import upstream

from .forms import AddTokenForm, DeleteTokenForm, ReplaceSecretForm
from .models import ApiToken, TokenStatus

TOKEN_SORTS = SortOrder(
    {"name": "name", "scope": "scope", "account": "account_label", "status": "status",
     "used": "last_used_at", "created": "created_at"},
    default="name",
    table="tokens-table",
)  # fmt: skip


def _team_token(request: HttpRequest, pk: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=pk, team=request.team)  # type: ignore[attr-defined]


def _apply_error(form: object, exc: token_services.TokenError) -> None:
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, exc.message)  # type: ignore[attr-defined]


@team_permission_required("tokens.view")
@require_http_methods(["GET", "HEAD"])
def token_list(request: HttpRequest) -> HttpResponse:
    listed = ApiToken.objects.for_team(request.team).select_related("created_by")  # type: ignore[attr-defined]
    ordered = sort_rows(listed, TOKEN_SORTS, request.GET)
    tokens = list(ordered.rows)
    return render(
        request,
        "vault/token_list.html",
        {
            "tokens": tokens,
            "ordered": ordered,
            "attention": [t for t in tokens if t.needs_attention],
            "can_manage": can(request.membership, "tokens.manage"),  # type: ignore[attr-defined]
            "statuses": TokenStatus,
            "api_url_problem": upstream.api_url_problem(),
        },
    )


@team_permission_required("tokens.manage")
@require_http_methods(["GET", "POST"])
def token_add(request: HttpRequest) -> HttpResponse:
    team = request.team  # type: ignore[attr-defined]
    form = AddTokenForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            token = token_services.add_token(
                actor=request.membership,  # type: ignore[attr-defined]
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                secret=form.cleaned_data["secret"],
            )
        except token_services.TokenError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request, f"Token “{token.name}” saved for {token.account_label or 'its VPSBG account'}."
            )
            return redirect("vault:token_list")
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "vault/token_add.html", {"form": form}, status=status)


@team_permission_required("tokens.manage")
@require_http_methods(["GET", "POST"])
def token_replace(request: HttpRequest, pk: int) -> HttpResponse:
    token = _team_token(request, pk)
    form = ReplaceSecretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token_services.replace_token_secret(
                actor=request.membership,  # type: ignore[attr-defined]
                token=token,
                secret=form.cleaned_data["secret"],
            )
        except token_services.TokenError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, f"The secret of “{token.name}” was replaced (ending …{token.last4}).")
            return redirect("vault:token_list")
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "vault/token_replace.html", {"form": form, "token": token}, status=status)


@team_permission_required("tokens.manage")
@require_http_methods(["GET", "POST"])
def token_delete(request: HttpRequest, pk: int) -> HttpResponse:
    token = _team_token(request, pk)
    form = DeleteTokenForm(request.POST or None, token=token)
    if request.method == "POST" and form.is_valid():
        name = token.name
        try:
            token_services.delete_token(
                actor=request.membership,  # type: ignore[attr-defined]
                token=token,
                confirm_name=form.cleaned_data["confirm_name"],
            )
        except token_services.TokenError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, f"Token “{name}” deleted.")
            return redirect("vault:token_list")
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "vault/token_delete.html", {"form": form, "token": token}, status=status)


@team_permission_required("tokens.manage")
@require_POST
def token_check(request: HttpRequest, pk: int) -> HttpResponse:
    token = _team_token(request, pk)
    status = token_services.check_token(token.pk, actor=request.membership)  # type: ignore[attr-defined]
    token.refresh_from_db()
    if status == upstream.CODE:
        messages.error(request, upstream.misconfigured().message)
    elif status == TokenStatus.OK:
        messages.success(request, f"“{token.name}” works ({token.account_label}).")
    else:
        messages.error(request, f"“{token.name}”: {token.get_status_display()}. {token.status_message}")
    return redirect("vault:token_list")
