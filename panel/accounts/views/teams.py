"""Teams: create, switch, the team page, members (role, servers, removal), invitations, leaving."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panel.core.sorting import SortOrder, sort_rows

from .. import services
from ..decorators import (
    get_membership_in_team,
    get_team_for_user,
    login_and_second_factor_required,
    render_denied,
    team_permission_required,
)
from ..forms import (
    AcceptInvitationForm,
    InviteForm,
    RoleForm,
    ServerScopeForm,
    TeamCreateForm,
    TeamSettingsForm,
)
from ..middleware import SESSION_TEAM_KEY
from ..models import Invitation, Membership, Team
from ..permissions import ActionDenied, can
from ..requests import SignedInRequest, TeamRequest
from ..roles import Role

_RANK = {role.value: rank for rank, role in enumerate(Role)}
MEMBER_SORTS = SortOrder(
    {
        "person": lambda r: r["membership"].user.display_name,
        "role": lambda r: (_RANK.get(r["membership"].role, len(_RANK)), r["membership"].user.email),
        "servers": lambda r: len(r["membership"].server_scope or ()) or 10**9,  # "All" after any list
    },
    default="role",
    table="members",
)


def _back_to_team() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("accounts:team"))


def _form_errors(form) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@require_GET
@login_and_second_factor_required
def teams(request: SignedInRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user=request.user).select_related("team").order_by("team__name")
    return render(request, "accounts/teams.html", {"memberships": memberships, "form": TeamCreateForm()})


@require_POST
@login_and_second_factor_required
def team_create(request: SignedInRequest) -> HttpResponse:
    form = TeamCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("accounts:teams")
    try:
        membership = services.create_team(user=request.user, name=form.cleaned_data["name"])
    except services.AccountsError as error:
        messages.error(request, str(error))
        return redirect("accounts:teams")
    request.session[SESSION_TEAM_KEY] = membership.team_id
    messages.success(request, f"Team {membership.team.name} created; you are its owner.")
    return _back_to_team()


@require_POST
@login_and_second_factor_required
def team_switch(request: SignedInRequest) -> HttpResponse:
    team_id = request.POST.get("team", "")
    if not team_id.isdigit():
        messages.error(request, "Choose a team to switch to.")
        return redirect("accounts:teams")
    team = get_team_for_user(request.user, team_id)
    request.session[SESSION_TEAM_KEY] = team.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("accounts:team")
    return HttpResponseRedirect(target)


def _elevations(team: Team) -> dict[int, object]:
    """Time-boxed elevations in force (panel/guardrails), by membership: shown next to the role."""
    from django.apps import apps

    if not apps.is_installed("panel.guardrails"):
        return {}
    from panel.guardrails.elevations import active

    return {e.membership_id: e for e in active(team)}


@require_GET
@team_permission_required("team.view")
def team(request: TeamRequest) -> HttpResponse:
    membership: Membership = request.membership
    members = (
        Membership.objects.filter(team=membership.team).select_related("user").order_by("role", "user__email")
    )
    may_manage = can(membership, "members.manage")
    elevated = _elevations(membership.team)
    grantable = [(r.value, r.label) for r in Role if r != Role.OWNER or membership.role == Role.OWNER]
    context = {
        "team": membership.team,
        "membership": membership,
        "members": sort_rows(
            [
                {
                    "membership": m,
                    "scope_text": ", ".join(m.server_scope),
                    "editable": may_manage and (m.role != Role.OWNER or membership.role == Role.OWNER),
                    "elevation": elevated.get(m.pk),
                }
                for m in members
            ],
            MEMBER_SORTS,
            request.GET,
        ),
        "invitations": (
            Invitation.objects.filter(team=membership.team, accepted_at=None, revoked_at=None)
            if can(membership, "members.view") else []
        ),
        "may_manage": may_manage,
        "may_settings": can(membership, "team.settings"),
        "grantable_roles": grantable,
        "invite_form": InviteForm(),
        "settings_form": TeamSettingsForm(
            initial={"name": membership.team.name, "require_2fa": membership.team.require_2fa}
        ),
    }
    return render(request, "accounts/team.html", context)


def _run(request: HttpRequest, action, success: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    """Call a service; a refusal becomes a flash message, a role denial the 403 page."""
    try:
        action()
    except ActionDenied as error:
        return render_denied(request, error)
    except services.AccountsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return _back_to_team()


@require_POST
@team_permission_required("team.settings")
def team_settings(request: TeamRequest) -> HttpResponse:
    form = TeamSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back_to_team()
    return _run(
        request,
        lambda: services.update_team_settings(
            request.membership, name=form.cleaned_data["name"], require_2fa=form.cleaned_data["require_2fa"]
        ),
        "Team settings saved.",
    )


@require_POST
@team_permission_required("members.manage")
def invitation_create(request: TeamRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back_to_team()

    def accept_url(token: str) -> str:
        return request.build_absolute_uri(reverse("accounts:invitation_accept", args=[token]))

    email = form.cleaned_data["email"]
    return _run(
        request,
        lambda: services.invite_member(
            request.membership, email=email, role=form.cleaned_data["role"], accept_url_for=accept_url
        ),
        f"Invitation sent to {email}.",
    )


@require_POST
@team_permission_required("members.manage")
def invitation_revoke(request: TeamRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, team=request.team)
    return _run(
        request,
        lambda: services.revoke_invitation(request.membership, invitation),
        f"Invitation of {invitation.email} withdrawn.",
    )


@require_POST
@team_permission_required("members.manage")
def member_role(request: TeamRequest, membership_id: int) -> HttpResponse:
    target = get_membership_in_team(request.team, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return _back_to_team()
    role = Role(form.cleaned_data["role"])
    return _run(
        request,
        lambda: services.change_role(request.membership, target, role),
        f"{target.user.display_name} is now {role.label}.",
    )


def _server_choices(request: TeamRequest, scope: list[str]) -> dict[str, object]:
    """The team's servers to tick (from VPSBG, through the services), and the scope refs not among them.

    A VPSBG account that does not answer is a warning on the page: its servers can still be kept
    or added by id in the text field, so a broken token never wipes anyone's access.
    """
    from panel.core.errors import PanelError
    from panel.services.aggregates import servers_list_all
    from panel.services.context import Actor

    warnings: list[object]
    try:
        found = servers_list_all(actor=Actor(request.membership, request=request))
        rows, warnings = found.items, list(found.warnings)
    except PanelError as error:
        rows, warnings = [], [error.message]  # shown like an account's warning
    listed = {row.key for row in rows}
    return {
        "servers": [{"row": row, "checked": row.key in scope} for row in rows],
        "others": ", ".join(ref for ref in scope if ref not in listed),
        "warnings": warnings,
    }


@require_http_methods(["GET", "POST"])
@team_permission_required("members.manage")
def member_servers(request: TeamRequest, membership_id: int) -> HttpResponse:
    """Which servers a member may see: ticked from the team's server list, or typed as ids."""
    target = get_membership_in_team(request.team, membership_id)
    if request.method == "GET":
        context = {"target": target, **_server_choices(request, list(target.server_scope or []))}
        return render(request, "accounts/member_servers.html", context)
    form = ServerScopeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back_to_team()

    def apply() -> None:
        typed = [*request.POST.getlist("server"), form.cleaned_data["servers"]]
        refs = services.parse_server_scope(" ".join(typed))
        services.set_server_scope(request.membership, target, refs)

    return _run(request, apply, f"Server access of {target.user.display_name} saved.")


@require_POST
@team_permission_required("members.manage")
def member_remove(request: TeamRequest, membership_id: int) -> HttpResponse:
    target = get_membership_in_team(request.team, membership_id)
    if target.pk == request.membership.pk:
        messages.error(request, "To leave the team, use “Leave team”.")
        return _back_to_team()
    return _run(
        request,
        lambda: services.remove_member(request.membership, target),
        f"{target.user.display_name} removed from the team.",
    )


@require_POST
@team_permission_required("team.view")
def team_leave(request: TeamRequest) -> HttpResponse:
    membership: Membership = request.membership
    try:
        services.leave_team(membership)
    except services.AccountsError as error:
        messages.error(request, str(error))
        return _back_to_team()
    request.session.pop(SESSION_TEAM_KEY, None)
    messages.success(request, f"You left {membership.team.name}.")
    return redirect("accounts:teams")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the emailed link. Signed in as the invited address: join. No account: create one."""
    try:
        invitation = services.find_invitation(token)
    except services.AccountsError as refused:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(refused)}, status=404)
    user = request.user if request.user.is_authenticated else None
    has_account = user is not None or services.User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(request.POST or None) if user is None and not has_account else None
    error = None
    if request.method == "POST":
        try:
            if user is not None:
                membership = services.accept_invitation(token=token, user=user)
            elif form is not None and form.is_valid():
                membership = services.accept_invitation(
                    token=token,
                    password=form.cleaned_data["password1"],
                    full_name=form.cleaned_data["full_name"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except services.AccountsError as exc:
            error = str(exc)
        else:
            if membership is not None:
                request.session[SESSION_TEAM_KEY] = membership.team_id
                messages.success(request, f"Welcome to {membership.team.name}.")
                return _back_to_team()
    context = {
        "invitation": invitation,
        "form": form,
        "error": error,
        "signed_in_as": user,
        "wrong_person": user is not None and user.email.lower() != invitation.email.lower(),
        "needs_sign_in": user is None and has_account,
        "login_url": f"{reverse('accounts:login')}?next={request.path}",
    }
    return render(request, "accounts/invitation_accept.html", context)
