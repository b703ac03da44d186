"""Forms of the network pages: floating IPs (buy, cancel) and the filters of DDoS network protection.

Each form is derived from its action's input type (`panel.actions.network`), which holds every rule
(countries are ISO codes, networks are addresses or CIDR networks named line by line, how many IPs
one purchase buys); the page adds only its own fields: the reason for the audit log, a request key,
and for destructive or paying forms something typed in full (the IP address, the account's name),
so a click in the wrong tab changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from panel.actions import network as actions
from panel.actions.forms import form_class

from .action_runs import page_form
from .forms import REASON_HELP

__all__ = [
    "FilterDeleteForm",
    "FloatingIpCancelForm",
    "FloatingIpPurchaseForm",
    "FloatingIpUndoCancelForm",
    "GeoFilterForm",
    "GeoFilterUpdateForm",
    "NetworkListForm",
    "NetworkListUpdateForm",
]

CANCEL_WHEN = (
    ("end", "At the end of the paid period"),
    ("now", "Right away"),
)
ACTIVE_CHOICES = (("", "Keep as it is"), ("on", "Switch on"), ("off", "Switch off"))


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason (for the audit log)", required=False, max_length=500, help_text=REASON_HELP
    )


def _request_key() -> forms.CharField:
    return forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


class _Page(forms.Form):
    reason = _reason_field()


class _TypedConfirmation(forms.Form):
    """Base of forms that ask for a text typed in full (`expected`) before acting; none given (a
    test of the input's rules), none asked."""

    confirm_label = "Type it to confirm"
    confirm = forms.CharField(
        max_length=255, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    request_key = _request_key()
    reason = _reason_field()

    def __init__(self, *args: Any, expected: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected
        if expected is None:
            del self.fields["confirm"]
        else:
            self.fields["confirm"].label = self.confirm_label
            self.fields["confirm"].help_text = f"Type “{expected}”."
        for name in ("confirm", "reason"):  # the action's own fields first
            if name in self.fields:
                self.fields[name] = self.fields.pop(name)
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)

    def clean_confirm(self) -> str:
        value = (self.cleaned_data.get("confirm") or "").strip()
        if self.expected is not None and value.lower() != self.expected.lower():
            raise forms.ValidationError(f"Type exactly “{self.expected}”.")
        return value


# -- floating IPs -----------------------------------------------------------------------------------
class _PurchasePage(_TypedConfirmation):
    """How many of each kind, for how long, attached to which server (offered by the page)."""

    confirm_label = "Type the account's name to confirm the purchase"

    def __init__(self, *args: Any, servers: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if servers is not None:  # the page's offer: the account's servers
            self.fields["server"] = forms.ChoiceField(
                label=self.fields["server"].label,
                help_text="Optional. The server may restart to take the new addresses.",
                required=False,
                choices=[("", "None (keep them unattached)"), *servers],
            )
        for name in ("ipv4", "ipv4_ddos", "ipv6"):
            self.fields[name].initial = 0
        self.fields["billing_cycle"].initial = 1
        self.order_fields(["ipv4", "ipv4_ddos", "ipv6", "billing_cycle", "server", "confirm", "reason"])


FloatingIpPurchaseForm = page_form(
    actions.FLOATING_IP_PURCHASE, form_class(actions.FloatingIpPurchaseInput, _PurchasePage)
)


class _CancelPage(_TypedConfirmation):
    """One floating IP (the page's): when, then its address typed."""

    confirm_label = "Type the IP address to confirm"
    when = forms.ChoiceField(label="When", choices=CANCEL_WHEN, initial="end", widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["when", "confirm", "reason"])


class FloatingIpCancelForm(_CancelPage):
    """Cancelling the page's floating IP: its id and `now` are the page's, `when` says which."""

    def input_data(self, fip_id: int) -> dict[str, Any]:
        return {"ids": [fip_id], "now": self.cleaned_data["when"] == "now"}


class FloatingIpUndoCancelForm(_Page):
    pass


# -- network protection ---------------------------------------------------------------------------
class _GeoPage(_Page):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(value, label) for value, label in self.fields["action"].choices if value]  # type: ignore[attr-defined]
        self.fields["action"].widget = forms.RadioSelect(choices=choices)
        self.fields["action"].choices = choices  # type: ignore[attr-defined]
        self.fields["countries"].widget = forms.TextInput(
            attrs={"spellcheck": "false", "autocapitalize": "characters"}
        )
        self.order_fields(["action", "countries", "reason"])


GeoFilterForm = page_form(actions.GEO_SET, form_class(actions.GeoFilterInput, _GeoPage))
GeoFilterUpdateForm = page_form(actions.GEO_UPDATE, form_class(actions.GeoFilterUpdateInput, _GeoPage))


class _ListPage(_Page):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["networks"].widget.attrs.update(
            {"rows": 6, "spellcheck": "false", "autocapitalize": "none"}
        )
        self.order_fields(["networks", "active", "reason"])


class SwitchField(forms.ChoiceField):
    """On, off, or keep as it is (None); "on"/"off" as the page posts them, true/false as JSON has them."""

    VALUES = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}

    def valid_value(self, value: Any) -> bool:
        return str(value).lower() in self.VALUES or value in ("", None)

    def clean(self, value: Any) -> bool | None:
        super().clean(value)
        return self.VALUES.get(str(value).lower()) if value not in ("", None) else None


class _ListUpdatePage(_ListPage):
    """Add networks and/or switch the list on or off ("Keep as it is": neither)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["active"] = SwitchField(label="The list", choices=ACTIVE_CHOICES, required=False)


NetworkListForm = form_class(actions.NetworkListInput, _ListPage)
NetworkListUpdateForm = form_class(actions.NetworkListUpdateInput, _ListUpdatePage)
for _action in (actions.WHITELIST_SET, actions.BLACKLIST_SET):
    page_form(_action, NetworkListForm)
for _action in (actions.WHITELIST_UPDATE, actions.BLACKLIST_UPDATE):
    page_form(_action, NetworkListUpdateForm)


class FilterDeleteForm(_TypedConfirmation):
    confirm_label = "Type the protected IP address to confirm"
