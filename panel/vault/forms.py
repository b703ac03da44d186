"""Forms of the token pages.

The secret field is a `PasswordInput(render_value=False)`: whatever happens (an error on another
field, VPSBG unavailable), the page sent back never contains the secret that was typed.
"""
from __future__ import annotations

from django import forms

from panel.accounts.models import Team

from .models import ApiToken, TokenScope


class SecretField(forms.CharField):
    widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"})

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 4096)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and any(c.isspace() for c in value):
            # Never quote the value: the error is rendered back into the page.
            raise forms.ValidationError("A token has no spaces; copy it again from VPSBG.", code="spaces")


class AddTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="How the team will recognise it, e.g. “production rw”.")
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ_WRITE,
        widget=forms.RadioSelect,
        help_text="What the token was created for at VPSBG. A read-write token refused a write "
        "is marked read-only automatically.",
    )
    secret = SecretField(label="Token", help_text="Shown to nobody once saved; only its last 4 characters.")

    def __init__(self, *args: object, team: Team, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.team = team

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ApiToken.objects.filter(team=self.team, name__iexact=name).exists():
            raise forms.ValidationError("This team already has a token with this name.", code="taken")
        return name


class ReplaceSecretForm(forms.Form):
    secret = SecretField(
        label="New token", help_text="Must open the same VPSBG account; checked with VPSBG before saving."
    )


class DeleteTokenForm(forms.Form):
    confirm_name = forms.CharField(label="Type the token's name to confirm", max_length=100)

    def __init__(self, *args: object, token: ApiToken, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.token = token

    def clean_confirm_name(self) -> str:
        value = self.cleaned_data["confirm_name"].strip()
        if value != self.token.name:
            raise forms.ValidationError("That is not this token's name.", code="mismatch")
        return value
