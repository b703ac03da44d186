"""View guards: the one way a panel view checks who may see it.

`@team_permission_required("tokens.manage")` signs in, enforces the second factor, needs a team and
asks the permission table; a denial renders a 403 page saying why and what to do.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from .middleware import current_membership, second_factor_redirect
from .models import Membership, Team, User
from .permissions import ActionDenied, require
from .second_factor import needs_second_factor

View = Callable[..., HttpResponseBase]
V = TypeVar("V", bound=View)  # a guard keeps the view's own signature (its request type, its response)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def render_denied(request: HttpRequest, error: Exception) -> HttpResponse:
    return render(request, "accounts/denied.html", {"reason": str(error)}, status=403)


def login_and_second_factor_required(view: V) -> V:
    """Signed in, with the second factor verified when enrolled or required by a team."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if needs_second_factor(request):
            return second_factor_redirect(request)
        return view(request, *args, **kwargs)

    return cast(V, wrapper)


def team_permission_required(action: str, *, writes: bool = True) -> Callable[[V], V]:
    """Guard a view by the permission table for the current team's membership.

    No team yet: redirect to the teams page to create or join one. Another team's objects are the
    view's business: look them up through the current team (`get_object_or_404(..., team=...)`).
    `writes=False`: a write (POST) runs an action through `panel.actions.pipeline`, which asks the
    table itself, once per execution; only showing the page (GET) is asked here.
    """

    def decorator(view: V) -> V:
        @wraps(view)
        @login_and_second_factor_required
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            membership = current_membership(request)
            if membership is None:
                messages.info(request, "Create a team or accept an invitation first.")
                return HttpResponseRedirect(reverse("accounts:teams"))
            try:
                if writes or request.method in SAFE_METHODS:
                    require(membership, action)
            except ActionDenied as error:
                if request.method not in SAFE_METHODS:
                    _record_denied_write(request, membership, action, error)
                return render_denied(request, error)
            try:
                return view(request, *args, **kwargs)
            except ActionDenied as error:  # a finer rule in a service (already audited there)
                return render_denied(request, error)

        wrapper.required_action = action  # type: ignore[attr-defined]
        return cast(V, wrapper)

    return decorator


def _record_denied_write(request: HttpRequest, membership: Membership, action: str, error: Exception) -> None:
    """A refused write attempt is an audit event (the table refused it before any service ran)."""
    from panel.audit import recorder as audit

    match = request.resolver_match
    audit.record(
        actor=request.user,
        team=membership.team,
        operation_id=action,
        params={"view": match.view_name if match else "", "method": request.method},
        outcome=audit.Outcome.DENIED,
        reason=str(error),
        request=request,
        operation_url=request.path,
    )


def get_team_for_user(user: User, team_id: int | str) -> Team:
    """The team with this id if `user` belongs to it; 404 otherwise (never reveal other teams)."""
    try:
        team_pk = int(team_id)
    except (TypeError, ValueError):
        raise Http404("No such team.") from None
    return get_object_or_404(Team, pk=team_pk, memberships__user=user)


def get_membership_in_team(team: Team, membership_id: int) -> Membership:
    """A membership of `team`; another team's membership ids answer 404."""
    return get_object_or_404(Membership.objects.select_related("user", "team"), pk=membership_id, team=team)


def require_server_visible(membership: Membership, account_id: int | str, server_id: int | str) -> None:
    """A member limited to chosen servers gets 404 for the others, as if they did not exist."""
    if not membership.may_see_server(account_id, server_id):
        raise Http404("No such server.")
