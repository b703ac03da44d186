"""Network actions: floating IPs (buy, cancel, attach, detach) and DDoS network protection's
filters (the geo filter, the whitelist and the blacklist).

Lists a person types are checked here item by item, so an error names the bad entry: countries
are ISO 3166-1 codes (given as a list, or as text separated by commas, spaces or lines), networks
are IP addresses or CIDR networks without host bits (1 to 1,000 of them, the reference's bound).
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from panel.services import network
from panel.services.context import Actor, parse_server_ref

from .base import Action, Cost, Input, Mode, NoInput, Risk, Target
from .inputs import BILLING_CYCLE_LABELS, BillingCycle, Ids, blank_is_none
from .registry import register

__all__ = [
    "COUNTRY_CODES",
    "FLOATING_IP_ATTACH",
    "FLOATING_IP_CANCEL",
    "FLOATING_IP_DETACH",
    "FLOATING_IP_PURCHASE",
    "FLOATING_IP_UNDO_CANCEL",
    "GEO_DELETE",
    "GEO_SET",
    "GEO_UPDATE",
    "IP_LISTS",
    "MAX_IPS_AT_ONCE",
    "MAX_NETWORKS",
    "FloatingIpCancelInput",
    "FloatingIpPurchaseInput",
    "GeoFilterInput",
    "GeoFilterUpdateInput",
    "IdsInput",
    "NetworkListInput",
    "NetworkListUpdateInput",
    "check_countries",
    "check_networks",
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
MAX_IPS_AT_ONCE = 16  # the panel's own bound on one purchase
SPLIT = re.compile(r"[\s,;]+")
GEO_LABELS: dict[str, Any] = {
    "allow": "Allow only these countries (traffic from every other country is dropped)",
    "deny": "Deny these countries (traffic from them is dropped)",
}


def _split_text(value: Any) -> Any:
    """Countries typed as one text ("BG, DE NL") or a list of such texts: one list of codes."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        return [code for item in value for code in SPLIT.split(str(item)) if code]
    return value


def check_countries(codes: list[str]) -> list[str]:
    """Upper-cased ISO codes without repeats; every unknown one named."""
    upper = [c.upper() for c in codes]
    unknown = [c for c in upper if c not in COUNTRY_CODES]
    if unknown:
        shown = ", ".join(f"“{c[:10]}”" for c in unknown[:5])
        raise ValueError(
            f"Not ISO 3166-1 country codes: {shown}. Use two letters per country, e.g. BG, DE, NL."
        )
    if not upper:
        raise ValueError("Enter at least one country code, e.g. BG.")
    return list(dict.fromkeys(upper))


def check_networks(lines: list[str]) -> list[str]:
    """IP addresses or CIDR networks; each bad one named by its line (its place in the list)."""
    networks: list[str] = []
    errors: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = str(raw).strip()
        try:
            networks.append(str(ipaddress.ip_network(line, strict=True)))
        except ValueError:
            try:
                loose = ipaddress.ip_network(line, strict=False)
            except ValueError:
                errors.append(f"Line {number}: “{line[:60]}” is not an IP address or CIDR network.")
            else:
                errors.append(f"Line {number}: “{line[:60]}” has host bits set; did you mean {loose}?")
    if errors:
        more = [f"… and {len(errors) - 10} more."] if len(errors) > 10 else []
        raise ValueError(" ".join(errors[:10] + more))
    return list(dict.fromkeys(networks))


Countries = Annotated[list[Annotated[str, Field(max_length=60)]], BeforeValidator(_split_text)]
Networks = Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=MAX_NETWORKS)]
Count = Annotated[int, Field(ge=0, le=MAX_IPS_AT_ONCE)]
ServerText = Annotated[Annotated[str, Field(max_length=320)] | None, BeforeValidator(blank_is_none)]
NETWORKS_HELP = "One IP address or CIDR network a line (e.g. 203.0.113.7 or 198.51.100.0/24)."
COUNTRIES_HELP = "Two-letter ISO 3166-1 codes separated by commas or spaces, e.g. BG, DE, NL."


# -- floating IPs ------------------------------------------------------------------------------------
class FloatingIpPurchaseInput(Input):
    """How many of each kind, for how long, attached to which server (optional)."""

    ipv4: Count = Field(default=0, title="IPv4 addresses")
    ipv4_ddos: Count = Field(default=0, title="DDoS-protected IPv4 addresses")
    ipv6: Count = Field(default=0, title="IPv6 addresses")
    billing_cycle: BillingCycle = Field(
        default=1, title="Paid period", json_schema_extra={"labels": BILLING_CYCLE_LABELS}
    )
    server: ServerText = Field(
        default=None,
        title="Attach to server",
        description="Optional, “<account>:<server id>”. The server may restart to take the new addresses.",
        json_schema_extra={"offered": True},
    )

    @field_validator("server")
    @classmethod
    def _server(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(parse_server_ref(value))
        except Exception:  # NotFoundError: a malformed reference is the input's mistake here
            raise ValueError("Choose a server, written “<account>:<server id>”.") from None

    @model_validator(mode="after")
    def _at_least_one(self) -> FloatingIpPurchaseInput:
        if not (self.ipv4 + self.ipv4_ddos + self.ipv6):
            raise ValueError("Buy at least one IP address.")
        return self


class FloatingIpCancelInput(Input):
    ids: Ids = Field(title="Floating IPs")
    now: bool = Field(
        default=False, title="Right away", description="Cancel now rather than at the end of the paid period."
    )


class IdsInput(Input):
    """Floating IPs of one account, by id."""

    ids: Ids = Field(title="Floating IPs")


def _purchase_params(target: str, data: FloatingIpPurchaseInput) -> dict[str, Any]:
    return {**data.model_dump(), "account": target}


def _purchase_cost(request: Any) -> Cost | None:
    """Each kind's monthly price with VAT (VPSBG's plan list) times the count and the period."""
    counts = {"ipv4": request.input.ipv4, "ipv4_ddos": request.input.ipv4_ddos, "ipv6": request.input.ipv6}
    plans = network.floating_ips_plans(actor=request.actor, account=request.target).items
    by_name = {getattr(p, "name", None): p for p in plans}
    total = Decimal(0)
    for kind, count in counts.items():
        if not count:
            continue
        plan = by_name.get(PLAN_NAMES[kind])
        price = getattr(plan, "price_with_vat", None) if plan is not None else None
        if price is None:
            return None
        total += Decimal(str(price)) * count * request.input.billing_cycle
    return total, "EUR"


# The plan names VPSBG's floating-IP plan list uses for each kind.
PLAN_NAMES = {"ipv4": "floating-ipv4", "ipv4_ddos": "floating-ipv4-ddos", "ipv6": "floating-ipv6"}


def _cancel(actor: Actor, target: str, data: FloatingIpCancelInput, reason: str) -> Any:
    return network.floating_ips_cancel(
        actor=actor, ids=list(data.ids), now=data.now, reason=reason or None, account=target
    )


def _undo_cancel(actor: Actor, target: str, data: IdsInput, reason: str) -> Any:
    return network.floating_ips_cancel_undo(actor=actor, ids=list(data.ids), account=target, reason=reason)


def _attach_params(target: str, data: IdsInput) -> dict[str, Any]:
    return {"server": target, "ids": list(data.ids)}


def _detach_params(target: str, data: IdsInput) -> dict[str, Any]:
    return {"account": target, "ids": list(data.ids)}


FLOATING_IP_PURCHASE = Action(
    name="floating_ips_purchase",
    label="Buy floating IPs",
    description="Buy floating IP addresses (optionally attached to a server), paid from the balance.",
    input=FloatingIpPurchaseInput,
    target=Target.ACCOUNT,
    risk=Risk.PAYING,
    mode=Mode.OPERATION,
    kind="floating_ip_purchase",
    params=_purchase_params,
    cost=_purchase_cost,
)
FLOATING_IP_CANCEL = Action(
    name="floating_ips_cancel",
    label="Cancel floating IPs",
    description="Give floating IP addresses up, now or at the end of their paid period.",
    input=FloatingIpCancelInput,
    target=Target.ACCOUNT,
    risk=Risk.DESTRUCTIVE,
    mode=Mode.NOW,
    perform=_cancel,
    done_message="Cancellation requested.",
)
FLOATING_IP_UNDO_CANCEL = Action(
    name="floating_ips_cancel_undo",
    label="Keep floating IPs",
    description="Withdraw the cancellation of floating IP addresses.",
    input=IdsInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_undo_cancel,
    done_message="Cancellation withdrawn.",
)
FLOATING_IP_ATTACH = Action(
    name="floating_ips_attach",
    label="Attach floating IPs",
    description="Attach floating IP addresses to the server (VPSBG restarts it).",
    input=IdsInput,
    target=Target.SERVER,
    risk=Risk.WRITE,
    mode=Mode.OPERATION,
    kind="floating_ip_attach",
    params=_attach_params,
)
FLOATING_IP_DETACH = Action(
    name="floating_ips_detach",
    label="Detach floating IPs",
    description="Detach floating IP addresses from their server.",
    input=IdsInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.OPERATION,
    kind="floating_ip_detach",
    params=_detach_params,
)


# -- network protection ------------------------------------------------------------------------------
class GeoFilterInput(Input):
    action: Literal["allow", "deny"] = Field(title="Policy", json_schema_extra={"labels": GEO_LABELS})
    countries: Countries = Field(
        title="Countries", description=COUNTRIES_HELP, json_schema_extra={"widget": "line"}
    )

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        return check_countries(value)


class GeoFilterUpdateInput(Input):
    action: Literal["allow", "deny"] | None = Field(
        default=None, title="Policy", json_schema_extra={"labels": GEO_LABELS}
    )
    countries: Countries | None = Field(
        default=None, title="Countries", description=COUNTRIES_HELP, json_schema_extra={"widget": "line"}
    )

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str] | None) -> list[str] | None:
        return check_countries(value) if value else None

    @model_validator(mode="after")
    def _something(self) -> GeoFilterUpdateInput:
        if self.action is None and not self.countries:
            raise ValueError("Choose a policy or enter countries.")
        return self


class NetworkListInput(Input):
    """The whole list becomes exactly these networks."""

    networks: Annotated[Networks, Field(min_length=1)] = Field(
        title="Addresses and networks", description=f"{NETWORKS_HELP} The list becomes exactly this."
    )

    @field_validator("networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return check_networks(value)


class NetworkListUpdateInput(Input):
    """Add networks to the list and/or switch it on or off, keeping what is on it."""

    networks: Networks = Field(
        default_factory=list,
        title="Add addresses and networks",
        description=f"Optional. {NETWORKS_HELP} They are added to the list.",
    )
    active: bool | None = Field(default=None, title="Switched on")

    @field_validator("networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return check_networks(value)

    @model_validator(mode="after")
    def _something(self) -> NetworkListUpdateInput:
        if not self.networks and self.active is None:
            raise ValueError("Add at least one address, or switch the list on or off.")
        return self


PROTECTION = "network protection"


def _geo_set(actor: Actor, target: str, data: GeoFilterInput, reason: str) -> Any:
    return network.network_protection_geo_set(
        actor=actor, protected_ip=target, action=data.action, countries=data.countries, reason=reason
    )


def _geo_update(actor: Actor, target: str, data: GeoFilterUpdateInput, reason: str) -> Any:
    return network.network_protection_geo_update(
        actor=actor, protected_ip=target, action=data.action, countries=data.countries, reason=reason
    )


def _geo_delete(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
    return network.network_protection_geo_delete(actor=actor, protected_ip=target, reason=reason)


GEO_SET = Action(
    name="network_protection_geo_set",
    label="Create geo filter",
    description="Drop traffic by country at the protected address.",
    input=GeoFilterInput,
    target=Target.ACCOUNT,
    subject=PROTECTION,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_geo_set,
    done_message="Geo filter created.",
)
GEO_UPDATE = Action(
    name="network_protection_geo_update",
    label="Change geo filter",
    description="Change the geo filter's policy or countries.",
    input=GeoFilterUpdateInput,
    target=Target.ACCOUNT,
    subject=PROTECTION,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_geo_update,
    done_message="Geo filter changed.",
)
GEO_DELETE = Action(
    name="network_protection_geo_delete",
    label="Delete geo filter",
    description="Delete the geo filter: traffic from every country passes again.",
    input=NoInput,
    target=Target.ACCOUNT,
    subject=PROTECTION,
    risk=Risk.DESTRUCTIVE,
    mode=Mode.NOW,
    perform=_geo_delete,
    done_message="Geo filter deleted.",
)


def _list_set(name: str, call: Any, kind: str) -> Action:
    def perform(actor: Actor, target: str, data: NetworkListInput, reason: str) -> Any:
        return call(actor=actor, protected_ip=target, networks=data.networks, reason=reason)

    return Action(
        name=name,
        label=f"Replace {kind}",
        description=f"The {kind} of the protected address becomes exactly these networks.",
        input=NetworkListInput,
        target=Target.ACCOUNT,
        subject=PROTECTION,
        risk=Risk.WRITE,
        mode=Mode.NOW,
        perform=perform,
        done_message=f"{kind.capitalize()} replaced.",
    )


def _list_update(name: str, call: Any, kind: str) -> Action:
    def perform(actor: Actor, target: str, data: NetworkListUpdateInput, reason: str) -> Any:
        return call(
            actor=actor,
            protected_ip=target,
            networks=data.networks or None,
            active=data.active,
            reason=reason,
        )

    return Action(
        name=name,
        label=f"Change {kind}",
        description=f"Add networks to the {kind}, or switch it on or off.",
        input=NetworkListUpdateInput,
        target=Target.ACCOUNT,
        subject=PROTECTION,
        risk=Risk.WRITE,
        mode=Mode.NOW,
        perform=perform,
        done_message=f"{kind.capitalize()} changed.",
    )


def _list_delete(name: str, call: Any, kind: str) -> Action:
    def perform(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
        return call(actor=actor, protected_ip=target, reason=reason)

    return Action(
        name=name,
        label=f"Delete {kind}",
        description=f"Delete every rule of the {kind}.",
        input=NoInput,
        target=Target.ACCOUNT,
        subject=PROTECTION,
        risk=Risk.DESTRUCTIVE,
        mode=Mode.NOW,
        perform=perform,
        done_message=f"{kind.capitalize()} deleted.",
    )


# Both lists take the same calls on their own route.
WHITELIST_SET = _list_set(
    "network_protection_whitelist_set", network.network_protection_whitelist_set, "whitelist"
)
WHITELIST_UPDATE = _list_update(
    "network_protection_whitelist_update", network.network_protection_whitelist_update, "whitelist"
)
WHITELIST_DELETE = _list_delete(
    "network_protection_whitelist_delete", network.network_protection_whitelist_delete, "whitelist"
)
BLACKLIST_SET = _list_set(
    "network_protection_blacklist_set", network.network_protection_blacklist_set, "blacklist"
)
BLACKLIST_UPDATE = _list_update(
    "network_protection_blacklist_update", network.network_protection_blacklist_update, "blacklist"
)
BLACKLIST_DELETE = _list_delete(
    "network_protection_blacklist_delete", network.network_protection_blacklist_delete, "blacklist"
)
IP_LISTS: tuple[Action, ...] = (
    WHITELIST_SET, WHITELIST_UPDATE, WHITELIST_DELETE, BLACKLIST_SET, BLACKLIST_UPDATE, BLACKLIST_DELETE,
)  # fmt: skip

register(
    FLOATING_IP_PURCHASE, FLOATING_IP_CANCEL, FLOATING_IP_UNDO_CANCEL, FLOATING_IP_ATTACH, FLOATING_IP_DETACH,
    GEO_SET, GEO_UPDATE, GEO_DELETE, *IP_LISTS,
)  # fmt: skip
