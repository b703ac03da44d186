"""Team → API tokens: a member creates tokens for themselves and revokes them; admins (members.manage)
see every token of the team and may revoke those of non-owners (`tokens.may_revoke`). The plaintext
is shown once, on the page answering the creation, and never again (only its prefix)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from panel.accounts.decorators import team_permission_required
from panel.accounts.permissions import can
from panel.core.errors import InvalidInput
from panel.core.sorting import SortOrder, sort_rows
from panel.services.context import Actor

from .forms import CreateTokenForm
from .models import PanelApiToken
from .tokens import create_token, may_revoke, revoke

TOKEN_SORTS = SortOrder(
    {"name": "label", "member": lambda t: t.membership.user.display_name, "access": "read_only",
     "expires": "expires_at", "used": "last_used_at", "status": "status"},
    default="name",
    table="api-tokens-table",
)  # fmt: skip


def _visible(request: HttpRequest) -> QuerySet[PanelApiToken]:
    membership = request.membership  # type: ignore[attr-defined]
    tokens = PanelApiToken.objects.filter(membership__team=membership.team).select_related("membership__user")
    if not can(membership, "members.manage"):
        tokens = tokens.filter(membership=membership)
    return tokens


def _listed(request: HttpRequest) -> list[PanelApiToken]:
    """The visible tokens, each marked `revocable` by this member."""
    tokens = list(_visible(request))
    for token in tokens:
        token.revocable = may_revoke(request.membership, token)  # type: ignore[attr-defined]
    return tokens


@team_permission_required("team.view")
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = CreateTokenForm(request.POST or None)
    created = plaintext = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created, plaintext = create_token(
                    actor=Actor(membership, request=request),
                    label=form.cleaned_data["label"],
                    read_only=form.cleaned_data["read_only"],
                    expires_at=form.expires_at(),
                    allowed_ips=form.cleaned_data["allowed_ips"],
                )
            except InvalidInput as exc:
                form.add_error(None, exc.message)
        if created is None:
            status = 422
        else:
            form = CreateTokenForm()
    response = render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "tokens": sort_rows(_listed(request), TOKEN_SORTS, request.GET),
            "created": created,
            "plaintext": plaintext,
            "sees_all": can(membership, "members.manage"),
        },
        status=status,
    )
    if plaintext:
        response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@team_permission_required("team.view")
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    token = get_object_or_404(
        PanelApiToken.objects.select_related("membership"), pk=pk, membership__team=membership.team
    )
    revoke(token, actor=Actor(request.membership, request=request))  # type: ignore[attr-defined]
    messages.success(request, f"API token “{token.label}” revoked: it no longer works.")
    return redirect("api_tokens:list")
