"""Sign-in with a provider (start, callback) and the team's sign-in page for owners.

Every way a provider sign-in can end is an audit event (`accounts.sign_in` with `method: oidc`):
signed in, refused by the panel's rules (denied), or failed (a bad or reused state, a token that
does not verify, a provider that does not answer). A refusal sends the person back to the sign-in
page with the reason; the reason never contains a token.
"""
from __future__ import annotations

from typing import Any

import requests
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panel.accounts.decorators import team_permission_required
from panel.accounts.services import AccountsError
from panel.accounts.signin_audit import SIGN_IN
from panel.accounts.views.signin import redirect_after_sign_in
from panel.audit import recorder as audit

from . import providers, services
from .config import ProviderConfig
from .forms import RoleRuleForm, SignInSettingsForm
from .models import RoleRule
from .oidc import CallbackView, StartView, provider_of_flow, provider_proved_mfa
from .providers import ProviderUnavailable
from .rules import SignInRefused, owners_with_provider
from .sessions import trust_provider_mfa


def _record(request: HttpRequest, outcome: str, provider: ProviderConfig | None, reason: str = "",
            user: Any = None, email: str = "", **params: Any) -> None:
    target = ({"target_type": "user", "target_id": user.pk, "target_label": user.email} if user is not None
              else {"target_type": "user", "target_label": email})
    audit.record(actor=user, actor_label=None if user is not None else "anonymous", operation_id=SIGN_IN,
                 outcome=outcome, reason=reason, request=request,
                 params={"method": "oidc", "provider": provider.key if provider else "", **params}, **target)


def _back_to_sign_in(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("accounts:login")


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Public: `?provider=<key>&next=<path>` → the provider's sign-in page."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("home"))
    provider = providers.get(request.GET.get("provider", ""))
    if provider is None:
        return _back_to_sign_in(request, "That identity provider is not configured here.")
    try:
        return StartView().start(request, provider)
    except ProviderUnavailable as error:
        _record(request, audit.Outcome.FAILED, provider, str(error))
        return _back_to_sign_in(request, f"{error} Try again later, or sign in with your password.")


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Public: where the provider sends the browser back with `code` and `state`."""
    provider = provider_of_flow(request)
    if provider is None:
        if request.user.is_authenticated:
            return HttpResponseRedirect(reverse("home"))
        _record(request, audit.Outcome.FAILED, None, "Unknown, used or forged state.")
        return _back_to_sign_in(
            request, "That sign-in link is not valid any more (used already, or started in another "
                     "browser). Start again."
        )
    view = CallbackView()
    view.setup(request)
    try:
        response = view.run(request, provider)
    except SignInRefused as error:
        _record(request, audit.Outcome.DENIED, provider, str(error), email=error.email)
        return _back_to_sign_in(request, str(error))
    except SuspiciousOperation:
        _record(request, audit.Outcome.FAILED, provider, "The ID token did not verify (nonce or signature).")
        return _back_to_sign_in(request, f"{provider.name}'s answer could not be verified. Start again.")
    except (ProviderUnavailable, requests.RequestException) as error:
        _record(request, audit.Outcome.FAILED, provider, f"The provider did not complete the sign-in "
                                                         f"({type(error).__name__}).")
        return _back_to_sign_in(request, f"{provider.name} did not complete the sign-in. Try again.")
    return _signed_in(request, provider, response)


def _signed_in(request: HttpRequest, provider: ProviderConfig, response: HttpResponse) -> HttpResponse:
    user = request.user
    proved = provider_proved_mfa(provider, getattr(request, "sso_id_token_claims", {}))
    if proved:
        trust_provider_mfa(request)
    _record(request, audit.Outcome.OK, provider, user=user, provider_mfa=proved)
    return redirect_after_sign_in(request, response["Location"])


def _page_context(request: HttpRequest, settings_form: SignInSettingsForm | None = None,
                  rule_form: RoleRuleForm | None = None) -> dict[str, Any]:
    team = request.team  # type: ignore[attr-defined]
    sign_in = services.team_sign_in(team.pk)
    provider = providers.get(sign_in.provider)
    return {
        "team": team,
        "sign_in": sign_in,
        "provider": provider,
        "configured": providers.choices(),
        "owners_with_provider": owners_with_provider(team, sign_in.provider) if provider else 0,
        "rules": RoleRule.objects.filter(team=team),
        "settings_form": settings_form or SignInSettingsForm(
            provider_choices=providers.choices(),
            initial={"provider": sign_in.provider, "domains": ", ".join(sign_in.allowed_domains),
                     "password_sign_in": sign_in.password_sign_in},
        ),
        "rule_form": rule_form or RoleRuleForm(
            initial={"claim": provider.groups_claim if provider else "groups"}
        ),
    }


@never_cache
@require_http_methods(["GET", "POST"])
@team_permission_required("team.settings")
def team_sign_in(request: HttpRequest) -> HttpResponse:
    """Owners: which provider, which domains may join, whether passwords still work."""
    if request.method == "GET":
        return render(request, "sso/team_sign_in.html", _page_context(request))
    form = SignInSettingsForm(request.POST, provider_choices=providers.choices())
    if form.is_valid():
        try:
            services.save_sign_in(
                request.membership,  # type: ignore[attr-defined]
                provider=form.cleaned_data["provider"],
                domains=services.parse_domains(form.cleaned_data["domains"]),
                password_sign_in=form.cleaned_data["password_sign_in"],
            )
        except AccountsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Sign-in settings saved.")
            return redirect("sso:team_sign_in")
    return render(request, "sso/team_sign_in.html", _page_context(request, settings_form=form), status=422)


@require_POST
@team_permission_required("team.settings")
def rule_add(request: HttpRequest) -> HttpResponse:
    form = RoleRuleForm(request.POST)
    if form.is_valid():
        try:
            rule = services.add_rule(request.membership, **form.cleaned_data)  # type: ignore[attr-defined]
        except AccountsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Rule added: {rule}. It applies at each member's next sign-in.")
            return redirect("sso:team_sign_in")
    return render(request, "sso/team_sign_in.html", _page_context(request, rule_form=form), status=422)


@require_POST
@team_permission_required("team.settings")
def rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoleRule, pk=rule_id, team=request.team)  # type: ignore[attr-defined]
    services.remove_rule(request.membership, rule)  # type: ignore[attr-defined]
    messages.success(request, f"Rule removed: {rule}. It applies at each member's next sign-in.")
    return redirect("sso:team_sign_in")

