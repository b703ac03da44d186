"""Forms of the team's sign-in page; validation of the fields only, the rules live in services."""
from __future__ import annotations

from typing import cast

from django import forms

from panel.accounts.roles import Role


class SignInSettingsForm(forms.Form):
    provider = forms.ChoiceField(label="Identity provider", required=False)
    domains = forms.CharField(
        label="Email domains that may join", required=False, max_length=4000,
        help_text="Comma-separated, e.g. example.com, ops.example.org. Other addresses get no role here.",
    )
    # No help_text: under a checkbox it would cover the label; the label says it all.
    password_sign_in = forms.BooleanField(
        label="Members may also sign in with a password (off: only with the provider)", required=False,
    )

    def __init__(self, *args: object, provider_choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        provider = cast(forms.ChoiceField, self.fields["provider"])
        provider.choices = [("", "None: passwords only"), *provider_choices]


class RoleRuleForm(forms.Form):
    claim = forms.CharField(label="Claim", max_length=64, initial="groups",
                            help_text="The ID token claim to look in; usually groups.")
    value = forms.CharField(label="Value (group)", max_length=200)
    role = forms.ChoiceField(label="Role in this team", choices=Role.choices, initial=Role.VIEWER)
