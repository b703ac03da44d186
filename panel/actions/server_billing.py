"""What a server costs and how long it runs: renew, scale to another plan, addons, cancel.

Renewing and scaling order and pay (long operations); buying, changing and cancelling addons and
cancelling the server are single VPSBG calls. The choices (billing cycles, cPanel tiers, bandwidth
options) are the reference's enums; licence counts are bounded by the panel (1 to 1000). Paying
actions say what they would spend (`cost`), as VPSBG quotes it, VAT included.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, field_validator, model_validator

from panel.services import servers
from panel.services.context import Actor, parse_server_ref

from .base import Action, Cost, Input, Mode, NoInput, Risk, Target
from .inputs import BILLING_CYCLE_LABELS
from .registry import register
from .servers import VpsbgId, server_params

__all__ = [
    "ADDONS_SCALE",
    "ADDON_CANCEL",
    "ADDON_PURCHASE",
    "ADDON_UNDO_CANCEL",
    "BILLING_CYCLES",
    "CANCEL",
    "RENEW",
    "SCALE",
    "UNDO_CANCEL",
    "AddonCancelInput",
    "AddonPurchaseInput",
    "AddonRefInput",
    "AddonsScaleInput",
    "CancelInput",
    "RenewInput",
    "ScaleInput",
    "addons_scale_quote",
    "euros",
]

BILLING_CYCLES = (1, 3, 6, 12, 24)  # months, as VPSBG sells them
MAX_RENEW = 50  # servers in one renewal order
Cpanel = Literal["cpanel-admin-5", "cpanel-pro-30", "cpanel-plus-50", "cpanel-premier-100"]
Bandwidth = Literal["100mbps-unmetered", "1gbps-unmetered"]


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


Licences = Annotated[Annotated[int, Field(ge=1, le=1000)] | None, BeforeValidator(_blank_is_none)]
OptionalCpanel = Annotated[Cpanel | None, BeforeValidator(_blank_is_none)]
OptionalBandwidth = Annotated[Bandwidth | None, BeforeValidator(_blank_is_none)]


class RenewInput(Input):
    """One renewal order: servers of one VPSBG account, for a number of months."""

    servers: list[Annotated[str, Field(min_length=3, max_length=400)]] = Field(
        min_length=1,
        max_length=MAX_RENEW,
        title="Servers",
        description=f"1 to {MAX_RENEW} references “<account>:<server id>” of one VPSBG account.",
        json_schema_extra={"example": ["ops@example.com:2864"]},
    )
    billing_cycle: Literal[1, 3, 6, 12, 24] = Field(
        title="Renew for", description="Months.", json_schema_extra={"labels": BILLING_CYCLE_LABELS}
    )
    promo_code: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, max_length=64, title="Promo code"
    )

    @field_validator("servers")
    @classmethod
    def _of_one_account(cls, value: list[str]) -> list[str]:
        refs = []
        for item in value:
            try:
                refs.append(parse_server_ref(item))
            except Exception:  # NotFoundError: not "<account>:<id>"
                raise ValueError(f"“{item[:80]}” is not a server reference “<account>:<id>”.") from None
        if len({r.account_id for r in refs}) > 1:
            raise ValueError("Renew servers of one VPSBG account at a time.")
        if len({str(r) for r in refs}) < len(refs):
            raise ValueError("A server is named twice.")
        return [str(r) for r in refs]


class ScaleInput(Input):
    plan: str = Field(
        min_length=1,
        max_length=100,
        title="New plan",
        description="The key of a plan the server can move to.",
        json_schema_extra={"offered": True, "example": "cloud-vps-4gb"},
    )
    scale_disk: bool = Field(
        default=False, title="Grow the disk too", description="A larger disk cannot be made smaller again."
    )


def _at_least_one(model: Input, names: tuple[str, ...], message: str) -> None:
    if not any(getattr(model, name) for name in names):
        raise ValueError(message)


class AddonsScaleInput(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"cpanel": "cpanel-pro-30"}]})

    cpanel: OptionalCpanel = Field(default=None, title="cPanel licence", description="Empty: no change.")
    microsoft_rds_sal: Licences = Field(default=None, title="Microsoft RDS licences")
    microsoft_office_sal: Licences = Field(default=None, title="Microsoft Office licences")

    @model_validator(mode="after")
    def _something(self) -> AddonsScaleInput:
        _at_least_one(self, ("cpanel", "microsoft_rds_sal", "microsoft_office_sal"),
                      "Choose at least one addon to change.")  # fmt: skip
        return self


class AddonPurchaseInput(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"bandwidth": "100mbps-unmetered"}]})

    backups: bool = Field(default=False, title="Automatic backups", description="Weekly, kept 3 weeks.")
    cpanel: OptionalCpanel = Field(default=None, title="cPanel licence")
    bandwidth: OptionalBandwidth = Field(default=None, title="Unmetered bandwidth")
    microsoft_rds_sal: Licences = Field(default=None, title="Microsoft RDS licences")
    microsoft_office_sal: Licences = Field(default=None, title="Microsoft Office licences")

    @model_validator(mode="after")
    def _something(self) -> AddonPurchaseInput:
        _at_least_one(self, ("backups", "cpanel", "bandwidth", "microsoft_rds_sal", "microsoft_office_sal"),
                      "Choose an addon to buy.")  # fmt: skip
        return self

    def offer_key(self) -> str:
        """The key VPSBG lists this purchase under (`servers_addons_list`), for its price."""
        return "backups" if self.backups else (self.cpanel or self.bandwidth or "")


class AddonRefInput(Input):
    server_addon_id: VpsbgId = Field(
        title="Addon", description="One of the server's addons.", json_schema_extra={"offered": True}
    )


class AddonCancelInput(AddonRefInput):
    now: bool = Field(default=False, title="End it now instead of at the end of the paid period")


class CancelInput(Input):
    now: bool = Field(
        default=False,
        title="Cancel now instead of at the end of the paid period",
        description="The server and its data are deleted at once.",
    )


# -- what they would spend (VPSBG's quotes, VAT included; None when VPSBG states no price) ----------
CURRENCY = "EUR"  # VPSBG bills in euros; its answers name no currency


def euros(value: object) -> Decimal | None:
    """An amount VPSBG gave (a number, or a string in some estimates) as a Decimal; None if none."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def _quoted(value: object) -> Cost | None:
    amount = euros(value)
    return (amount, CURRENCY) if amount is not None else None


# VPSBG's keys of the licences bought per user, by input field.
LICENCE_KEYS = {"microsoft_rds_sal": "microsoft-rds-sal", "microsoft_office_sal": "microsoft-office-sal"}


def _purchase_cost(request: Any) -> Cost | None:
    """Each chosen addon's price until the server's expiry (VPSBG's offers for the server), per
    licence for the counted ones; None when one of them is not offered with a price."""
    data: AddonPurchaseInput = request.input
    wanted: dict[str, int] = {key: 1 for key in ("backups" if data.backups else None, data.cpanel,
                                                 data.bandwidth) if key}  # fmt: skip
    wanted.update({key: getattr(data, name) for name, key in LICENCE_KEYS.items() if getattr(data, name)})
    offers = {o.key: o for o in servers.servers_addons_list(actor=request.actor, server=request.target)}
    total = Decimal(0)
    for key, count in wanted.items():
        offer = offers.get(key)
        price = euros(offer.price_until_expiry_with_vat) if offer is not None else None
        if price is None:
            return None
        total += price * count
    return total, CURRENCY


def addons_scale_quote(actor: Actor, server: str, data: AddonsScaleInput) -> Any:
    """VPSBG's quote for a change of licences (the confirmation page's preview and `cost`). Its
    calculation needs an RDS count: a change that leaves RDS licences alone is quoted with the
    count the server has now (none: 0), never with 0, which would quote dropping them."""
    rds = data.microsoft_rds_sal
    if rds is None:
        found = servers.servers_get(actor=actor, server=server)
        rds = sum(a.quantity or 0 for a in found.addons or []
                  if a.name == LICENCE_KEYS["microsoft_rds_sal"] and a.status == "active")  # fmt: skip
    return servers.servers_addons_scale_calculate(
        actor=actor, server=server, microsoft_rds_sal=rds, cpanel=data.cpanel,
        microsoft_office_sal=data.microsoft_office_sal,
    )  # fmt: skip


def _addons_scale_cost(request: Any) -> Cost | None:
    return _quoted(addons_scale_quote(request.actor, request.target, request.input).amount_with_vat)


def _scale_cost(request: Any) -> Cost | None:
    """VPSBG's quote for moving to the plan (the difference until the server's expiry)."""
    data: ScaleInput = request.input
    quote = servers.servers_scale_calculate(
        actor=request.actor, server=request.target, plan=data.plan, scale_disk=data.scale_disk
    )
    return _quoted(quote.amount_with_vat)


def _renew_cost(request: Any) -> Cost | None:
    """What VPSBG says is due today for the renewal (after the promo code's discount)."""
    data: RenewInput = request.input
    quote = servers.servers_calculate_renew(
        actor=request.actor, servers=data.servers, billing_cycle=data.billing_cycle,
        promo_code=data.promo_code,
    )  # fmt: skip
    return _quoted(quote.due_today_amount_with_vat)


# -- run at once ----------------------------------------------------------------------------------
def _purchase(actor: Actor, target: str, data: AddonPurchaseInput, reason: str) -> Any:
    return servers.servers_addons_purchase(
        actor=actor,
        server=target,
        backups=data.backups or None,
        cpanel=data.cpanel,
        bandwidth=data.bandwidth,
        microsoft_rds_sal=data.microsoft_rds_sal,
        microsoft_office_sal=data.microsoft_office_sal,
        reason=reason,
    )


def _addon_cancel(actor: Actor, target: str, data: AddonCancelInput, reason: str) -> None:
    servers.servers_addons_cancel(
        actor=actor, server=target, server_addon_id=data.server_addon_id, reason=reason, now=data.now
    )


def _addon_undo_cancel(actor: Actor, target: str, data: AddonRefInput, reason: str) -> None:
    servers.servers_addons_undo_cancel(
        actor=actor, server=target, server_addon_id=data.server_addon_id, reason=reason
    )


def _cancel(actor: Actor, target: str, data: CancelInput, reason: str) -> None:
    servers.servers_cancel(actor=actor, server=target, reason=reason or None, now=data.now)


def _undo_cancel(actor: Actor, target: str, data: NoInput, reason: str) -> None:
    servers.servers_undo_cancel(actor=actor, server=target, reason=reason)


def _now(name: str, label: str, description: str, model: type[Input], perform: Any, risk: Risk,
         done: str, cost: Any = None) -> Action:  # fmt: skip
    return Action(
        name=name, label=label, description=description, input=model, target=Target.SERVER, risk=risk,
        mode=Mode.NOW, perform=perform, done_message=done, cost=cost,
    )  # fmt: skip


ADDON_PURCHASE = _now(
    "servers_addons_purchase", "Buy an addon", "Add an addon, paid from the balance until the expiry.",
    AddonPurchaseInput, _purchase, Risk.PAYING, "Addon ordered.", _purchase_cost,
)  # fmt: skip
ADDON_CANCEL = _now(
    "servers_addons_cancel", "Cancel an addon", "The addon is not renewed (or ends now).",
    AddonCancelInput, _addon_cancel, Risk.DESTRUCTIVE, "Addon cancellation requested.",
)  # fmt: skip
ADDON_UNDO_CANCEL = _now(
    "servers_addons_undo_cancel", "Keep a cancelled addon", "Withdraw an addon's cancellation.",
    AddonRefInput, _addon_undo_cancel, Risk.WRITE, "Addon cancellation withdrawn.",
)  # fmt: skip
CANCEL = _now(
    "servers_cancel", "Cancel the server",
    "VPSBG deletes the server and its data at the end of the paid period (or now).",
    CancelInput, _cancel, Risk.DESTRUCTIVE, "Cancellation requested.",
)  # fmt: skip
UNDO_CANCEL = _now(
    "servers_undo_cancel", "Withdraw the cancellation", "The server stays and renews as before.",
    NoInput, _undo_cancel, Risk.WRITE, "Cancellation withdrawn.",
)  # fmt: skip


# -- long operations ------------------------------------------------------------------------------
def _renew_params(target: str, data: RenewInput) -> dict[str, Any]:
    return data.model_dump()


RENEW = Action(
    name="servers_renew",
    label="Renew",
    description="Order and pay more months for servers of one account.",
    input=RenewInput,
    target=Target.ACCOUNT,
    risk=Risk.PAYING,
    mode=Mode.OPERATION,
    kind="renew",
    params=_renew_params,
    cost=_renew_cost,
)
SCALE = Action(
    name="servers_scale",
    label="Scale to another plan",
    description="Move the server to another plan; the difference is ordered and paid.",
    input=ScaleInput,
    target=Target.SERVER,
    risk=Risk.PAYING,
    mode=Mode.OPERATION,
    kind="scale",
    params=server_params,
    cost=_scale_cost,
)
ADDONS_SCALE = Action(
    name="servers_addons_scale",
    label="Change licences",
    description="Change the server's cPanel or Microsoft licences; the difference is ordered and paid.",
    input=AddonsScaleInput,
    target=Target.SERVER,
    risk=Risk.PAYING,
    mode=Mode.OPERATION,
    kind="scale_addons",
    params=server_params,
    cost=_addons_scale_cost,
)

register(ADDON_PURCHASE, ADDON_CANCEL, ADDON_UNDO_CANCEL, CANCEL, UNDO_CANCEL, RENEW, SCALE, ADDONS_SCALE)
