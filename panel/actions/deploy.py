"""Deploying new servers: one order naming one to ten servers, each getting every choice.

The fields follow `servers_deploy` in the reference (billing cycle 1 to 24 months, the cPanel and
bandwidth enums); the panel adds its own bounds where the reference is silent (ten servers an
order, eight extra addresses of each kind, a hundred licences, the root password's 12 to 128
characters) and the cross-field rules VPSBG would refuse later: exactly what to install from (an
image, a snapshot, a backup or an ISO) and a secondary ISO only with another primary one. The
deploy wizard (`panel/web/deploy_forms.py`) takes its bounds from here. What an order would spend
(`cost`) is priced from VPSBG's lists the way the wizard's summary prices it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from panel.services import library, network, servers

from .base import Action, Cost, Input, Mode, Risk, Target, field_error
from .registry import register
from .server_billing import CURRENCY, LICENCE_KEYS, OptionalBandwidth, OptionalCpanel, euros
from .servers import MAX_KEYS, PASSWORD_MAX, PASSWORD_MIN, OptionalId, VpsbgId, normal_hostname

__all__ = ["DEPLOY", "MAX_EXTRA_IPS", "MAX_LICENCES", "MAX_SERVERS", "SOURCES", "DeployInput"]

MAX_SERVERS = 10
MAX_EXTRA_IPS = 8
MAX_LICENCES = 100
SOURCES = ("image_id", "snapshot_id", "backup_id", "primary_iso_id")


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def _one_or_many(value: Any) -> Any:
    """`name` is one hostname or a list of them (the reference's "one of")."""
    return [value] if isinstance(value, str) else value


Count = Annotated[Annotated[int, Field(ge=1, le=MAX_EXTRA_IPS)] | None, BeforeValidator(_blank_is_none)]
Licences = Annotated[Annotated[int, Field(ge=1, le=MAX_LICENCES)] | None, BeforeValidator(_blank_is_none)]
Hostname = Annotated[str, Field(max_length=253), AfterValidator(normal_hostname)]


class DeployInput(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": ["web-01.example.com"], "plan": "cloud-vps-2gb", "billing_cycle": 3, "image_id": 73},
                {
                    "name": ["web-02.example.com"],
                    "plan": "cloud-vps-2gb",
                    "billing_cycle": 3,
                    "snapshot_id": 9,
                },
                {"name": ["web-03.example.com"], "plan": "cloud-vps-2gb", "billing_cycle": 3, "backup_id": 9},
                {
                    "name": ["web-04.example.com"],
                    "plan": "cloud-vps-2gb",
                    "billing_cycle": 3,
                    "primary_iso_id": 101,
                    "secondary_iso_id": 2,
                },
            ]
        }
    )

    account: Annotated[str | None, BeforeValidator(lambda v: v or None)] = Field(
        default=None,
        max_length=255,
        title="VPSBG account",
        description="Needed when the team holds several.",
    )
    name: Annotated[list[Hostname], BeforeValidator(_one_or_many)] = Field(
        min_length=1,
        max_length=MAX_SERVERS,
        title="Hostnames",
        description=f"One to {MAX_SERVERS} distinct hostnames: one server each, in one order.",
    )
    plan: str = Field(
        min_length=1, max_length=100, title="Plan", json_schema_extra={"example": "cloud-vps-2gb"}
    )
    billing_cycle: int = Field(ge=1, le=24, title="Billing cycle", description="Months.")
    image_id: OptionalId = Field(default=None, title="Image")
    snapshot_id: OptionalId = Field(default=None, title="Snapshot")
    backup_id: OptionalId = Field(default=None, title="Backup")
    primary_iso_id: OptionalId = Field(default=None, title="ISO")
    secondary_iso_id: OptionalId = Field(default=None, title="Secondary ISO", description="With an ISO only.")
    password: Annotated[str | None, BeforeValidator(lambda v: v or None)] = Field(
        default=None,
        min_length=PASSWORD_MIN,
        max_length=PASSWORD_MAX,
        title="Root password",
        description=f"Optional; {PASSWORD_MIN} to {PASSWORD_MAX} characters.",
        json_schema_extra={"secret": True},
    )
    ssh_keys: list[VpsbgId] = Field(default_factory=list, max_length=MAX_KEYS, title="SSH keys")
    backups: bool = Field(default=False, title="Automatic backups")
    extra_ipv4: Count = Field(default=None, title="Extra IPv4 addresses")
    extra_ipv4_ddos: Count = Field(default=None, title="Extra IPv4 addresses with DDoS protection")
    extra_ipv6: Count = Field(default=None, title="Extra IPv6 addresses")
    cpanel: OptionalCpanel = Field(default=None, title="cPanel licence")
    bandwidth: OptionalBandwidth = Field(default=None, title="Unmetered bandwidth")
    microsoft_rds_sal: Licences = Field(default=None, title="Microsoft RDS SAL licences")
    microsoft_office_sal: Licences = Field(default=None, title="Microsoft Office SAL licences")
    promo_code: Annotated[str | None, BeforeValidator(lambda v: v or None)] = Field(
        default=None, max_length=64, title="Promo code"
    )

    @field_validator("name")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) < len(value):
            raise ValueError("Each server needs its own hostname; a name repeats.")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> DeployInput:
        chosen = [name for name in SOURCES if getattr(self, name) is not None]
        if len(chosen) != 1:
            message = "Choose an image, a snapshot, a backup or an ISO: one of them."
            raise field_error(DeployInput, "image_id", message)
        if self.secondary_iso_id is not None and self.secondary_iso_id == self.primary_iso_id:
            message = "The secondary ISO must differ from the primary one."
            raise field_error(DeployInput, "secondary_iso_id", message, self.secondary_iso_id)
        if self.secondary_iso_id is not None and self.primary_iso_id is None:
            message = "A secondary ISO goes with an ISO install."
            raise field_error(DeployInput, "secondary_iso_id", message, self.secondary_iso_id)
        return self


def _params(target: str, data: DeployInput) -> dict[str, Any]:
    return data.model_dump()


# The floating-IP plans VPSBG prices extra addresses by, per input field.
EXTRA_IP_PLANS = {"extra_ipv4": "floating-ipv4", "extra_ipv4_ddos": "floating-ipv4-ddos",
                  "extra_ipv6": "floating-ipv6"}  # fmt: skip
WINDOWS_LICENCE = "windows-server-license"  # comes with a Windows image, one per server


def _cost(request: Any) -> Cost | None:
    """The order's price with VAT: per server, the plan's monthly price (less the promo code's
    percentage), each addon's (`plans_addons`, licences per user, the Windows licence with a Windows
    image) and each extra address's (the floating-IP plans), times the months; times the servers.

    VPSBG has no quote for a new order, so this adds up its price lists; None when a chosen item has
    no price there or the promo code is not VPSBG's for this plan and period (VPSBG would refuse).
    """
    data: DeployInput = request.input
    actor, account = request.actor, data.account or request.target or None
    plan = next((p for p in servers.servers_list_plans(actor=actor, account=account)
                 if data.plan in (p.key, p.name)), None)  # fmt: skip
    if plan is None or plan.id is None or (monthly := euros(plan.price_with_vat)) is None:
        return None
    if data.promo_code:
        codes = library.plans_promo_codes(actor=actor, plan_id=plan.id, account=account)
        promo = next((c for c in codes if (c.code or "").lower() == data.promo_code.lower()), None)
        if promo is None or data.billing_cycle < (promo.minimum_billing_cycle or 1):
            return None
        monthly *= 1 - (euros(promo.percentage) or Decimal(0)) / 100
    addons: dict[str, int] = {key: 1 for key in ("backups" if data.backups else None, data.cpanel,
                                                 data.bandwidth) if key}  # fmt: skip
    addons.update({key: getattr(data, name) for name, key in LICENCE_KEYS.items() if getattr(data, name)})
    if data.image_id is not None:
        image = next((i for i in library.server_images_list(actor=actor, account=account)
                      if i.id == data.image_id), None)  # fmt: skip
        if image is not None and image.group is not None and image.group.key == "windows":
            addons[WINDOWS_LICENCE] = 1
    if addons:
        prices = {a.key: a for a in library.plans_addons(actor=actor, plan_id=plan.id, account=account)}
        for key, count in addons.items():
            price = euros(prices[key].price_with_vat) if key in prices else None
            if price is None:
                return None
            monthly += price * count
    extras = {plan: getattr(data, name) for name, plan in EXTRA_IP_PLANS.items() if getattr(data, name)}
    if extras:
        ip_plans = {p.name: p for p in network.floating_ips_plans(actor=actor, account=account)}
        for plan_name, count in extras.items():
            price = euros(ip_plans[plan_name].price_with_vat) if plan_name in ip_plans else None
            if price is None:
                return None
            monthly += price * count
    per_server = (monthly * data.billing_cycle).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return per_server * len(data.name), CURRENCY


DEPLOY = Action(
    name="servers_deploy",
    label="Deploy servers",
    description="Order (and pay) one to ten new servers, then wait until they are active.",
    input=DeployInput,
    target=Target.ACCOUNT,
    risk=Risk.PAYING,
    mode=Mode.OPERATION,
    kind="deploy",
    params=_params,
    cost=_cost,
)

register(DEPLOY)
