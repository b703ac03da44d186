"""Forms of the sign-in, second-factor and team pages; validation only, writes go to services."""
from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .roles import Role


class SignInForm(AuthenticationForm):
    """Email and password. Django's form calls `authenticate(request, ...)`, so django-axes sees it."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        # One spelling per account, so axes counts failures of "Ann@x" and "ann@x" together.
        return self.cleaned_data["username"].strip().lower()


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )


class EnrollForm(forms.Form):
    token = forms.CharField(
        label="Code from the app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _time_zone_choices() -> list[tuple[str, str]]:
    from zoneinfo import available_timezones

    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("", "UTC (the panel's default)"), *((z, z.replace("_", " ")) for z in zones)]


class TimeZoneForm(forms.Form):
    """The member's time zone: every date and time in the panel is shown in it."""

    time_zone = forms.ChoiceField(label="Time zone", required=False, choices=_time_zone_choices)


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label="Your password", widget=forms.PasswordInput(attrs={"autocomplete":
                                                                                        "current-password"}))


class TeamCreateForm(forms.Form):
    name = forms.CharField(max_length=100, label="Team name")


class TeamSettingsForm(forms.Form):
    name = forms.CharField(max_length=100, label="Team name")
    require_2fa = forms.BooleanField(
        required=False, label="Require a second factor of every member"
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ServerScopeForm(forms.Form):
    servers = forms.CharField(
        required=False,
        label="Limit to servers",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Server ids as <account id>:<server id>, separated by commas or new lines. "
        "Empty: every server of the team.",
    )


class AcceptInvitationForm(forms.Form):
    """For a person without an account: choose a name and a password."""

    full_name = forms.CharField(max_length=150, required=False, label="Your name")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete":
                                                                                  "new-password"}))
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput(attrs={"autocomplete":
                                                                                        "new-password"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError("The two passwords differ.")
        return data
