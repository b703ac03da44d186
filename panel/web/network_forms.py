"""Forms of the network pages: floating IPs (buy, cancel) and the filters of DDoS network protection.

Lists a person types (countries, networks) are checked here, line by line, so an error names the
bad entry next to its field before anything reaches VPSBG. Destructive or paying forms ask for
something typed in full (the IP address, the account's name): a click in the wrong tab changes
nothing.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import Any

from django import forms

from .action_forms import BILLING_CYCLES
from .forms import REASON_HELP

__all__ = [
    "COUNTRY_CODES",
    "FilterDeleteForm",
    "FloatingIpCancelForm",
    "FloatingIpPurchaseForm",
    "FloatingIpUndoCancelForm",
    "GeoFilterForm",
    "NetworkListForm",
    "NetworkListUpdateForm",
    "parse_countries",
    "parse_networks",
]

# ISO 3166-1 alpha-2: every officially assigned code (what VPSBG's geo filter takes).
COUNTRY_CODES: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)
MAX_NETWORKS = 1000  # IpFilterListInput.networks: maxItems
MAX_IPS_AT_ONCE = 16
GEO_ACTIONS = (
    ("allow", "Allow only these countries (traffic from every other country is dropped)"),
    ("deny", "Deny these countries (traffic from them is dropped)"),
)
CANCEL_WHEN = (
    ("end", "At the end of the paid period"),
    ("now", "Right away"),
)
SPLIT = re.compile(r"[\s,;]+")


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason (for the audit log)", required=False, max_length=500, help_text=REASON_HELP
    )


def _request_key() -> forms.CharField:
    return forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


def parse_countries(text: str) -> list[str]:
    """Two-letter ISO codes from free text (commas, spaces or lines), upper-cased, without repeats."""
    codes = [c.upper() for c in SPLIT.split(text or "") if c]
    unknown = [c for c in codes if c not in COUNTRY_CODES]
    if unknown:
        shown = ", ".join(f"“{c[:10]}”" for c in unknown[:5])
        raise forms.ValidationError(
            f"Not ISO 3166-1 country codes: {shown}. Use two letters per country, e.g. BG, DE, NL."
        )
    if not codes:
        raise forms.ValidationError("Enter at least one country code, e.g. BG.")
    return list(dict.fromkeys(codes))


def parse_networks(text: str) -> list[str]:
    """IP addresses or CIDR networks, one a line; an error names each bad line by its number."""
    networks: list[str] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            network = ipaddress.ip_network(line, strict=True)
        except ValueError:
            try:
                loose = ipaddress.ip_network(line, strict=False)
            except ValueError:
                errors.append(f"Line {number}: “{line[:60]}” is not an IP address or CIDR network.")
            else:
                errors.append(f"Line {number}: “{line[:60]}” has host bits set; did you mean {loose}?")
            continue
        networks.append(str(network))
    if errors:
        more = [f"… and {len(errors) - 10} more."] if len(errors) > 10 else []
        raise forms.ValidationError(errors[:10] + more)
    networks = list(dict.fromkeys(networks))
    if len(networks) > MAX_NETWORKS:
        raise forms.ValidationError(f"At most {MAX_NETWORKS} networks; this has {len(networks)}.")
    return networks


class _TypedConfirmation(forms.Form):
    """Base of forms that ask for a text typed in full (`expected`) before acting."""

    confirm_label = "Type it to confirm"
    confirm = forms.CharField(
        max_length=255, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )

    def __init__(self, *args: Any, expected: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.fields["confirm"].label = self.confirm_label
        self.fields["confirm"].help_text = f"Type “{expected}”."

    def clean_confirm(self) -> str:
        value = (self.cleaned_data.get("confirm") or "").strip()
        if value.lower() != self.expected.lower():
            raise forms.ValidationError(f"Type exactly “{self.expected}”.")
        return value


# -- floating IPs -----------------------------------------------------------------------------------
class FloatingIpPurchaseForm(_TypedConfirmation):
    """How many of each kind, for how long, attached to which server (optional)."""

    confirm_label = "Type the account's name to confirm the purchase"
    field_order = ("request_key", "ipv4", "ipv4_ddos", "ipv6", "billing_cycle", "server", "confirm", "reason")
    request_key = _request_key()
    ipv4 = forms.IntegerField(label="IPv4 addresses", min_value=0, max_value=MAX_IPS_AT_ONCE, initial=0)
    ipv4_ddos = forms.IntegerField(
        label="DDoS-protected IPv4 addresses", min_value=0, max_value=MAX_IPS_AT_ONCE, initial=0
    )
    ipv6 = forms.IntegerField(label="IPv6 addresses", min_value=0, max_value=MAX_IPS_AT_ONCE, initial=0)
    billing_cycle = forms.TypedChoiceField(label="Paid period", coerce=int, choices=BILLING_CYCLES, initial=1)
    server = forms.ChoiceField(
        label="Attach to server",
        required=False,
        help_text="Optional. The server may restart to take the new addresses.",
    )
    reason = _reason_field()

    def __init__(self, *args: Any, servers: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["server"].choices = [("", "None (keep them unattached)"), *servers]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        counts = [data.get(name) for name in ("ipv4", "ipv4_ddos", "ipv6")]
        if all(c is not None for c in counts) and not sum(counts):  # type: ignore[arg-type]
            self.add_error("ipv4", "Buy at least one IP address.")
        return data


class FloatingIpCancelForm(_TypedConfirmation):
    confirm_label = "Type the IP address to confirm"
    when = forms.ChoiceField(label="When", choices=CANCEL_WHEN, initial="end", widget=forms.RadioSelect)
    reason = _reason_field()


class FloatingIpUndoCancelForm(forms.Form):
    reason = _reason_field()


# -- network protection ---------------------------------------------------------------------------
class GeoFilterForm(forms.Form):
    """The geo filter: a policy and the countries it applies to."""

    action = forms.ChoiceField(label="Policy", choices=GEO_ACTIONS, widget=forms.RadioSelect)
    countries = forms.CharField(
        label="Countries",
        max_length=1000,
        help_text="Two-letter ISO 3166-1 codes separated by commas or spaces, e.g. BG, DE, NL.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
    )
    reason = _reason_field()

    def clean_countries(self) -> list[str]:
        return parse_countries(self.cleaned_data["countries"])


def _networks_field(label: str, help_text: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=60_000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocapitalize": "none"}),
    )


class NetworkListForm(forms.Form):
    """Replace the whole list (whitelist or blacklist) with these networks."""

    networks = _networks_field(
        "Addresses and networks",
        "One IP address or CIDR network a line (e.g. 203.0.113.7 or 198.51.100.0/24). "
        "The list becomes exactly this.",
    )
    reason = _reason_field()

    def clean_networks(self) -> list[str]:
        networks = parse_networks(self.cleaned_data["networks"])
        if not networks:
            raise forms.ValidationError("Enter at least one IP address or network.")
        return networks


ACTIVE_CHOICES = (("", "Keep as it is"), ("on", "Switch on"), ("off", "Switch off"))


class NetworkListUpdateForm(forms.Form):
    """Add networks to the list and/or switch it on or off, keeping what is on it."""

    networks = _networks_field(
        "Add addresses and networks",
        "Optional. One IP address or CIDR network a line; they are added to the list.",
        required=False,
    )
    active = forms.ChoiceField(label="The list", choices=ACTIVE_CHOICES, required=False)
    reason = _reason_field()

    def clean_networks(self) -> list[str]:
        return parse_networks(self.cleaned_data.get("networks") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "networks" in data and not data["networks"] and not data.get("active"):
            self.add_error("networks", "Add at least one address, or switch the list on or off.")
        return data

    @property
    def active_value(self) -> bool | None:
        return {"on": True, "off": False}.get(self.cleaned_data.get("active") or "")


class FilterDeleteForm(_TypedConfirmation):
    confirm_label = "Type the protected IP address to confirm"
    reason = _reason_field()
