"""Sign-in, second factor (verify, enroll, recovery codes), sessions and password pages."""
from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import segno
from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from panel.sso.rules import password_refusal

from .. import second_factor, signin_audit
from ..decorators import login_and_second_factor_required
from ..forms import EnrollForm, PasswordConfirmForm, SignInForm, TimeZoneForm, TokenForm
from ..requests import SignedInRequest
from ..services import sign_out_other_sessions


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class SignInView(auth_views.LoginView):
    """Email and password; then the second factor when enrolled or required by a team.

    `login()` rotates the session key; axes counts the failures (it gets the request through
    `authenticate(request=...)` inside the form) and answers the lockout page once locked.
    """

    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        refusal = password_refusal(form.get_user())
        if refusal:  # a team of theirs signs in only with its identity provider
            signin_audit.password_refused(self.request, form.get_user(), refusal)
            form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form))
        login(self.request, form.get_user())
        signin_audit.signed_in(self.request, form.get_user())
        return redirect_after_sign_in(self.request, self.get_success_url())

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if self.request.method == "POST":
            email = str(self.request.POST.get("username", ""))[:254]
            if getattr(self.request, "axes_locked_out", False):  # django-axes refused to even check
                signin_audit.locked_out(self.request, email)
            else:
                signin_audit.sign_in_failed(self.request, email)
        return super().form_invalid(form)


def _next_query(target: str) -> str:
    return urlencode({"next": target})


def redirect_after_sign_in(request: HttpRequest, target: str) -> HttpResponse:
    """To `target`, through the second-factor page first when this session still needs one."""
    if second_factor.needs_second_factor(request):
        name = (
            "accounts:two_factor_verify"
            if second_factor.has_confirmed_device(request.user)
            else "accounts:two_factor_setup"
        )
        return HttpResponseRedirect(f"{reverse(name)}?{_next_query(target)}")
    return HttpResponseRedirect(target)


class SignOutView(auth_views.LogoutView):
    """POST only (Django 5): ends the session, server-side."""

    next_page = reverse_lazy("accounts:login")  # type: ignore[assignment]  # Django takes a lazy URL


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if not second_factor.needs_second_factor(request):
        return HttpResponseRedirect(_safe_next(request))
    if not second_factor.has_confirmed_device(request.user):
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.verify(request, form.cleaned_data["token"])
        signin_audit.second_factor_checked(request, request.user, ok=device is not None)
        if device is not None:
            if isinstance(device, StaticDevice):
                left = second_factor.recovery_codes_left(request.user)
                messages.warning(
                    request, f"You used a recovery code; {left} left. Generate new ones on the security page."
                )
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("token", "That code is not valid (or was already used). Try the current code.")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request, "")})


def qr_svg(config_url: str) -> str:
    """An `otpauth://` URL as inline SVG markup (no script, no data URL): allowed by the pages' CSP.

    Also used for a VPSBG account's own second factor (panel/web/views/account.py).
    """
    qr = segno.make(config_url, error="m")
    return qr.svg_inline(scale=4, title="Scan with your authenticator app")


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enroll a TOTP app: QR code and manual secret, confirmed by one code; shows recovery codes once."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user = request.user
    if second_factor.has_confirmed_device(user):
        if not second_factor.is_verified(user):
            return redirect("accounts:two_factor_verify")
        messages.info(request, "Your second factor is already set up.")
        return redirect("accounts:security")
    device = second_factor.pending_totp_device(user)
    form = EnrollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_totp_device(request, device, form.cleaned_data["token"])
        if codes is not None:
            context = {"codes": codes, "just_enrolled": True,
                       "next": _safe_next(request, reverse("accounts:security"))}
            return _no_store(render(request, "accounts/recovery_codes.html", context))
        form.add_error(
            "token", "That code does not match. Check the time on your phone and try the next code."
        )
    context = {
        "form": form,
        "qr_svg": qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
        "required_by_team": second_factor.team_requires_second_factor(user),
        "next": _safe_next(request, ""),
    }
    return _no_store(render(request, "accounts/two_factor_setup.html", context))


@never_cache
@login_and_second_factor_required
def security(request: SignedInRequest) -> HttpResponse:
    user = request.user
    context = {
        "enrolled": second_factor.has_confirmed_device(user),
        "codes_left": second_factor.recovery_codes_left(user),
        "required_by_team": second_factor.team_requires_second_factor(user),
        "disable_form": PasswordConfirmForm(),
        "time_zone_form": TimeZoneForm(initial={"time_zone": user.time_zone}),
    }
    return render(request, "accounts/security.html", context)


@require_POST
@login_and_second_factor_required
def time_zone(request: SignedInRequest) -> HttpResponse:
    """Save the person's time zone; an unknown zone is refused with the choice kept as it was."""
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        request.user.time_zone = form.cleaned_data["time_zone"]
        request.user.save(update_fields=["time_zone"])
        messages.success(request, f"Times are now shown in {request.user.time_zone or 'UTC'}.")
    else:
        messages.error(request, "Choose a time zone from the list.")
    return redirect("accounts:security")


@require_POST
@login_and_second_factor_required
def recovery_codes_regenerate(request: SignedInRequest) -> HttpResponse:
    if not second_factor.has_confirmed_device(request.user):
        messages.error(request, "Set up a second factor first.")
        return redirect("accounts:security")
    codes = second_factor.issue_recovery_codes(request.user)
    return _no_store(render(request, "accounts/recovery_codes.html",
                            {"codes": codes, "next": reverse("accounts:security")}))


@require_POST
@login_and_second_factor_required
def two_factor_disable(request: SignedInRequest) -> HttpResponse:
    user = request.user
    if second_factor.team_requires_second_factor(user):
        messages.error(request, "A team you belong to requires a second factor, so it stays on.")
        return redirect("accounts:security")
    form = PasswordConfirmForm(request.POST)
    if not form.is_valid() or not user.check_password(form.cleaned_data["password"]):
        messages.error(request, "Wrong password; the second factor stays on.")
        return redirect("accounts:security")
    second_factor.disable_second_factor(user)
    messages.success(request, "Second factor removed. You can set it up again at any time.")
    return redirect("accounts:security")


@require_POST
@login_and_second_factor_required
def sign_out_others(request: SignedInRequest) -> HttpResponse:
    """End every other session of this person; this one stays (its hash is refreshed)."""
    sign_out_other_sessions(request.user)
    update_session_auth_hash(request, request.user)
    messages.success(request, "All your other sessions are signed out.")
    return redirect("accounts:security")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, "Password changed. Your other sessions are signed out.")
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def locked_out(request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object
               ) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a page, status 429, never a 500."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return render(request, "accounts/locked.html", {"minutes": minutes}, status=429)
