"""Forms of the deploy wizard: one form per step, so each step's errors show next to its fields.

Every step's form reads the same query string (or POST body): the wizard carries the choices of
the other steps in hidden fields, so going back and forth keeps them. Choices (accounts, plans,
images, snapshots, backups, ISOs, SSH keys, addons) come from what VPSBG lists for the chosen
account; a value outside them is a field error, never a crash. The promo code is checked against
VPSBG's list for the plan (`plans_promo_codes`) before the summary shows its effect.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms

from panel.actions.deploy import MAX_EXTRA_IPS, MAX_LICENCES, MAX_SERVERS

from .action_forms import BILLING_CYCLES, MIN_PASSWORD
from .forms import REASON_HELP, validate_hostname

__all__ = [
    "STEP_FIELDS",
    "AccountStep",
    "ConfirmStep",
    "ExtrasStep",
    "PlanStep",
    "PromoCheck",
    "SetupStep",
]

Choices = list[tuple[Any, Any]]

# The fields each step owns; the others are carried as hidden fields.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "account": ("account",),
    "plan": ("plan",),
    "setup": ("hostname", "source", "secondary_iso", "billing_cycle", "ssh_keys"),
    "extras": (
        "backups", "cpanel", "bandwidth", "extra_ipv4", "extra_ipv4_ddos", "extra_ipv6",
        "microsoft_rds_sal", "microsoft_office_sal", "promo_code",
    ),
}  # fmt: skip
MULTI_VALUED = frozenset({"ssh_keys"})
SOURCE_KINDS = ("image", "snapshot", "backup", "iso")


class AccountStep(forms.Form):
    account = forms.ChoiceField(label="VPSBG account")

    def __init__(self, *args: Any, accounts: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = sorted(accounts.items(), key=lambda a: (a[1], a[0]))
        self.fields["account"].choices = options  # type: ignore[attr-defined]


class PlanStep(forms.Form):
    """The plan, by its name (what `servers_deploy` takes); an unavailable plan is refused."""

    plan = forms.ChoiceField(label="Plan", error_messages={"required": "Choose a plan."})

    def __init__(self, *args: Any, plans: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = {p.name: p for p in plans if p.name}
        self.fields["plan"].choices = [(name, name) for name in self.plans]  # type: ignore[attr-defined]

    def clean_plan(self) -> str:
        name = self.cleaned_data["plan"]
        if self.plans[name].available is False:
            raise forms.ValidationError("This plan is not available at the moment; choose another.")
        return name


class SetupStep(forms.Form):
    """Hostnames (one to ten servers, one per line), what to install (image, snapshot, backup or
    ISO, with an optional second ISO), billing cycle and SSH keys."""

    hostname = forms.CharField(
        label="Hostnames",
        max_length=MAX_SERVERS * 260,
        strip=False,
        help_text=(
            f"One per line, e.g. web-01.example.com; up to {MAX_SERVERS} servers in one order, "
            "each with the choices below."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
    )
    source = forms.ChoiceField(
        label="Install from", error_messages={"required": "Choose an image, a snapshot, a backup or an ISO."}
    )
    secondary_iso = forms.TypedChoiceField(
        label="Secondary ISO",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Optional, with an ISO install only: a second ISO mounted too (e.g. drivers).",
    )
    billing_cycle = forms.TypedChoiceField(label="Billing cycle", coerce=int, choices=BILLING_CYCLES)
    ssh_keys = forms.TypedMultipleChoiceField(
        label="SSH keys",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Keys allowed to sign in as root. Without one, use the root password.",
    )

    def __init__(
        self,
        *args: Any,
        sources: Choices,
        keys: Choices,
        isos: Choices | None = None,
        minimum_cycle: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.minimum_cycle = minimum_cycle
        self.fields["source"].choices = [("", "Choose…"), *sources]  # type: ignore[attr-defined]
        self.fields["secondary_iso"].choices = [("", "None"), *(isos or [])]  # type: ignore[attr-defined]
        self.fields["ssh_keys"].choices = keys  # type: ignore[attr-defined]
        if minimum_cycle > 1:
            self.fields["billing_cycle"].help_text = f"This plan is sold for {minimum_cycle} months or more."

    def clean_hostname(self) -> list[str]:
        """One to ten valid, distinct hostnames; an error names the line (blank lines are skipped)."""
        seen: dict[str, int] = {}  # hostname -> its line
        for number, line in enumerate(self.cleaned_data["hostname"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                name = validate_hostname(line)
            except forms.ValidationError as exc:
                raise forms.ValidationError(f"Line {number} (“{line.strip()}”): {exc.messages[0]}") from exc
            if name in seen:
                raise forms.ValidationError(
                    f"Line {number}: “{name}” is already on line {seen[name]}; "
                    "each server needs its own hostname."
                )
            seen[name] = number
        if not seen:
            raise forms.ValidationError("Enter a hostname.")
        if len(seen) > MAX_SERVERS:
            raise forms.ValidationError(
                f"At most {MAX_SERVERS} servers in one order; you entered {len(seen)} hostnames."
            )
        return list(seen)

    def clean_source(self) -> tuple[str, int]:
        kind, _, ident = self.cleaned_data["source"].partition(":")
        return kind, int(ident)

    def clean_billing_cycle(self) -> int:
        cycle = int(self.cleaned_data["billing_cycle"])
        if cycle < self.minimum_cycle:
            raise forms.ValidationError(
                f"This plan needs a billing cycle of at least {self.minimum_cycle} months."
            )
        return cycle

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        secondary, source = data.get("secondary_iso"), data.get("source")
        if secondary is None or source is None:
            return data
        kind, ident = source
        if kind != "iso":
            self.add_error(
                "secondary_iso",
                "A secondary ISO goes with an ISO install: choose an ISO to install from, or None.",
            )
        elif ident == secondary:
            self.add_error("secondary_iso", "Choose an ISO other than the one to install from.")
        return data


@dataclass(frozen=True)
class PromoCheck:
    """What the extras step knows to check a promo code: VPSBG's codes for the plan (None when the
    list could not be read, with the reason) and the chosen billing cycle."""

    codes: list[Any] | None
    problem: str
    billing_cycle: int


WINDOWS_ONLY = "Windows images only; per user."


def _count(label: str, maximum: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=maximum, help_text=help_text
    )


class ExtrasStep(forms.Form):
    """Addons of the plan (with VPSBG's prices in the labels) and the promo code."""

    backups = forms.BooleanField(label="Automatic backups", required=False)
    cpanel = forms.ChoiceField(label="cPanel licence", required=False)
    bandwidth = forms.ChoiceField(label="Unmetered bandwidth", required=False)
    # The bounds are the deploy action's (`panel.actions.deploy`), where the order is checked.
    extra_ipv4 = _count("Extra IPv4 addresses", MAX_EXTRA_IPS)
    extra_ipv4_ddos = _count("Extra IPv4 addresses with DDoS protection", MAX_EXTRA_IPS)
    extra_ipv6 = _count("Extra IPv6 addresses", MAX_EXTRA_IPS)
    microsoft_rds_sal = _count("Microsoft RDS SAL licences", MAX_LICENCES, WINDOWS_ONLY)
    microsoft_office_sal = _count("Microsoft Office SAL licences", MAX_LICENCES, WINDOWS_ONLY)
    promo_code = forms.CharField(
        label="Promo code", required=False, max_length=64, help_text="Optional; checked with VPSBG."
    )

    def __init__(
        self,
        *args: Any,
        addons: dict[str, Any],
        ip_prices: dict[str, Any],
        promo: PromoCheck,
        windows: bool | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.promo = promo
        self.windows = windows
        self.promo_applied: Any = None
        self.fields["backups"].help_text = _price_text(addons.get("backups"))
        self.fields["cpanel"].choices = [("", "None")] + [  # type: ignore[attr-defined]
            (key, f"{key}: {_price_text(offer)}")
            for key, offer in addons.items()
            if key.startswith("cpanel-")
        ]
        self.fields["bandwidth"].choices = [("", "None (the plan's traffic allowance)")] + [  # type: ignore[attr-defined]
            (key, f"{key}: {_price_text(offer)}")
            for key, offer in addons.items()
            if key.endswith("-unmetered")
        ]
        for name, plan in (("extra_ipv4", "floating-ipv4"), ("extra_ipv4_ddos", "floating-ipv4-ddos"),
                           ("extra_ipv6", "floating-ipv6")):  # fmt: skip
            if plan in ip_prices:
                self.fields[name].help_text = f"Up to 8; each {_price_text(ip_prices[plan])}."
        for name, key in (
            ("microsoft_rds_sal", "microsoft-rds-sal"),
            ("microsoft_office_sal", "microsoft-office-sal"),
        ):
            if key in addons:
                self.fields[name].help_text = f"Windows images only; per user {_price_text(addons[key])}."

    def clean_promo_code(self) -> str:
        code = (self.cleaned_data.get("promo_code") or "").strip()
        if not code:
            return ""
        if self.promo.codes is None:
            raise forms.ValidationError(
                f"The promo code could not be checked now ({self.promo.problem}). "
                "Try again, or leave it empty."
            )
        found = next((p for p in self.promo.codes if (p.code or "").lower() == code.lower()), None)
        if found is None:
            raise forms.ValidationError(f"VPSBG has no promo code “{code}” for this plan.")
        minimum = found.minimum_billing_cycle or 1
        if self.promo.billing_cycle < minimum:
            raise forms.ValidationError(
                f"“{found.code}” needs a billing cycle of at least {minimum} months "
                f"(you chose {self.promo.billing_cycle})."
            )
        self.promo_applied = found
        return str(found.code)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.windows is False:
            for name in ("microsoft_rds_sal", "microsoft_office_sal"):
                if data.get(name):
                    self.add_error(name, "Microsoft licences need a Windows image.")
        return data


def _price_text(offer: Any) -> str:
    """“12.00 a month, VAT included” from anything with `price` and `price_with_vat`."""
    if offer is None:
        return ""
    with_vat = getattr(offer, "price_with_vat", None)
    if with_vat is not None:
        return f"{float(with_vat):.2f} a month, VAT included"
    price = getattr(offer, "price", None)
    return f"{float(price):.2f} a month without VAT" if price is not None else ""


class ConfirmStep(forms.Form):
    """The final confirmation: an optional root password, the reason, and the hostname typed (or,
    for several servers, their number)."""

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    password = forms.CharField(
        label="Root password",
        required=False,
        min_length=MIN_PASSWORD,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=f"Optional; at least {MIN_PASSWORD} characters. Leave empty to sign in with the SSH keys.",
    )
    password_again = forms.CharField(
        label="The password again",
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    reason = forms.CharField(
        label="Reason (for the audit log)", required=False, max_length=500, help_text=REASON_HELP
    )
    confirm_hostname = forms.CharField(
        label="Type the new server's hostname to confirm",
        max_length=253,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    confirm_count = forms.CharField(
        label="Type the number of new servers to confirm",
        max_length=3,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, hostnames: list[str], **kwargs: Any) -> None:
        """One server: type its hostname (`confirm_hostname`); several: type how many (`confirm_count`)."""
        super().__init__(*args, **kwargs)
        self.hostnames = hostnames
        if len(hostnames) == 1:
            del self.fields["confirm_count"]
            self.fields["confirm_hostname"].help_text = f"Type “{hostnames[0]}”."
        else:
            del self.fields["confirm_hostname"]
            self.fields["confirm_count"].help_text = f"Type “{len(hostnames)}”."
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)

    def clean_confirm_hostname(self) -> str:
        hostname = self.hostnames[0]
        value = (self.cleaned_data.get("confirm_hostname") or "").strip().rstrip(".")
        if value.lower() != hostname.lower():
            raise forms.ValidationError(f"Type the hostname exactly: “{hostname}”.")
        return value

    def clean_confirm_count(self) -> str:
        value = (self.cleaned_data.get("confirm_count") or "").strip()
        if value != str(len(self.hostnames)):
            raise forms.ValidationError(f"Type the number of new servers: “{len(self.hostnames)}”.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data
