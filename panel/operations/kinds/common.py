"""Steps and checks several kinds share: fresh reads of VPSBG, input checks, order payment.

Every read a step makes comes from VPSBG itself, never from the services' read cache (the runner
sets `execution.FRESH_READS` for the whole delivery): a step decides from what VPSBG says now,
never from a copy another process took before the action started.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from django.utils import timezone
from pydantic import BaseModel, ValidationError

from panel.actions.fields import errors_by_field
from panel.core.errors import InvalidInput
from panel.services import billing, library, network, servers
from panel.services.context import Ref, ServerRef, as_actor, parse_ref, parse_server_ref
from panel.services.execution import known_hostname, team_accounts

from ..models import StepMark
from ..runner import DONE, WAIT, Context, Step, StepFailed
from .registry import Prepared

ORDER_PAID = "paid"


# -- input ----------------------------------------------------------------------------------------
M = TypeVar("M", bound=BaseModel)


def action_input(
    model: type[M], params: dict[str, Any], label: str, *, besides: tuple[str, ...] = ("server",)
) -> M:
    """The operation's input checked by its action's own input type (`panel.actions`): one rule
    everywhere. `besides` are the parameters that name the target, not input."""
    try:
        return model.model_validate({k: v for k, v in params.items() if k not in besides})
    except ValidationError as exc:
        raise InvalidInput(f"Invalid input for “{label}”.", fields=errors_by_field(exc)) from None


def positive_int(params: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise InvalidInput(
                f"{name.replace('_', ' ').capitalize()} is required.", fields={name: "Required."}
            )
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a whole number.", fields={name: "A whole number."})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a whole number.", fields={name: "A whole number."}) from None
    if number < 1:
        raise InvalidInput(f"{name} must be positive.", fields={name: "A positive number."})
    return number


def int_list(params: dict[str, Any], name: str, *, required: bool = True) -> list[int]:
    value = params.get(name)
    if value in (None, "", []):
        if required:
            raise InvalidInput(f"Choose at least one of the {name}.", fields={name: "Choose at least one."})
        return []
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, Sequence) or len(value) > 50:
        raise InvalidInput(f"{name}: give a list of at most 50 ids.", fields={name: "A list of ids."})
    return [int(positive_int({name: v}, name) or 0) for v in value]


def text(params: dict[str, Any], name: str, *, required: bool = True, max_length: int = 255) -> str:
    value = params.get(name)
    if value is None or str(value).strip() == "":
        if required:
            raise InvalidInput(
                f"{name.replace('_', ' ').capitalize()} is required.", fields={name: "Required."}
            )
        return ""
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidInput(f"{name} is too long.", fields={name: f"At most {max_length} characters."})
    return value.strip()


def server_target(actor: Any, params: dict[str, Any]) -> tuple[ServerRef, Prepared]:
    """The server a kind acts on (`params["server"]` = "<account>:<id>"), with its lock."""
    ref = parse_server_ref(params.get("server") or "")
    who = as_actor(actor)
    if ref.account_id not in team_accounts(who.team):
        raise InvalidInput(
            f"This team has no VPSBG account “{ref.account_id[:120]}”.", fields={"server": "Unknown."}
        )
    prepared = Prepared(
        account_id=ref.account_id,
        target_type="server",
        target_id=str(ref),
        target_label=known_hostname(ref, who.team) or f"server {ref.id}",
        params={"server": str(ref)},
        locks=[f"server:{ref}"],
    )
    return ref, prepared


def account_of(actor: Any, params: dict[str, Any]) -> str:
    """The VPSBG account a kind acts on: `params["account"]`, or the team's only one."""
    accounts = team_accounts(as_actor(actor).team)
    account = str(params.get("account") or "").strip()
    if account:
        if account not in accounts:
            raise InvalidInput(
                f"This team has no VPSBG account “{account[:120]}”.", fields={"account": "Unknown."}
            )
        return account
    if len(accounts) == 1:
        return next(iter(accounts))
    if not accounts:
        raise InvalidInput("This team has no VPSBG token yet; add one on the Tokens page.")
    raise InvalidInput("This team has several VPSBG accounts: choose one.", fields={"account": "Choose one."})


# -- fresh reads ----------------------------------------------------------------------------------
def server_ref(ctx: Context) -> ServerRef:
    return parse_server_ref(ctx.op.target_id)


def fresh_server(ctx: Context, ref: ServerRef | None = None) -> Any:
    """The server as VPSBG sees it now (read now, or in the account poller's list this moment);
    the operation's target is named by its hostname from then."""
    own = ref is None or str(ref) == ctx.op.target_id
    ref = ref or server_ref(ctx)
    server = ctx.listed.get(str(ref))  # the account poller's list, read from VPSBG a moment ago
    if server is None:
        server = servers.servers_get(actor=ctx.actor, server=ref)
    hostname = (getattr(server, "hostname", "") or "")[:255]
    if own and hostname and ctx.op.target_label != hostname:
        ctx.op.target_label = hostname
        type(ctx.op).objects.filter(pk=ctx.op.pk).update(target_label=hostname)
    return server


def fresh_order(ctx: Context, ref: Ref | str) -> Any:
    order = parse_ref(ref, "order")
    return billing.orders_get(actor=ctx.actor, order=order)


def _order_status(ctx: Context, ref: Ref | str) -> str:
    """The order's status at VPSBG now ("" when it says none)."""
    return fresh_order(ctx, ref).status or ""


def fresh_snapshots(ctx: Context, account: str, *, server: ServerRef | None = None) -> list[Any]:
    items: list[Any] = []
    for page in range(1, 21):
        result = library.snapshots_list(actor=ctx.actor, page=page, server=server, account=account)
        items.extend(result.items)
        if not result.has_next:
            break
    return items


def fresh_backups(ctx: Context, account: str) -> list[Any]:
    items: list[Any] = []
    for page in range(1, 21):
        result = library.backups_list(actor=ctx.actor, page=page, account=account)
        items.extend(result.items)
        if not result.has_next:
            break
    return items


def fresh_floating_ips(ctx: Context, account: str) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for page in range(1, 21):
        result = network.floating_ips_list(actor=ctx.actor, page=page, per_page=50, account=account)
        found.update({fip.id: fip for fip in result.items if fip.id is not None})
        if not result.has_next:
            break
    return found


def cannot_tell(ctx: Context, what: str) -> StepFailed:
    """The failure of a destructive step whose first call may have reached VPSBG, when VPSBG shows
    nothing that says whether it did: a person checks rather than the panel risking it twice."""
    target = ctx.op.target_label or ctx.op.target_id
    return StepFailed(
        f"The answer to the panel's request to {what} was lost, and VPSBG shows nothing that says "
        f"whether it was carried out; it was not sent again. Check the server ({target}) and start "
        "the operation again if it is still needed."
    )


def server_verify(ctx: Context, what: str, took_effect: Callable[[Any], bool | None] | None = None) -> bool:
    """Did the server action asked for earlier reach VPSBG? For `Context.once` after a lost answer.

    Locked: yes (the check step saw it unlocked, and the panel holds the server's lock), the action
    is under way. Unlocked: `took_effect(server)` judges from what VPSBG shows (True: done; False:
    nothing happened, safe to ask again; None: cannot tell); without evidence, `cannot_tell`.
    """
    server = fresh_server(ctx)
    if server.locked:
        return True
    verdict = took_effect(server) if took_effect is not None else None
    if verdict is None:
        raise cannot_tell(ctx, what)
    return verdict


# -- steps ----------------------------------------------------------------------------------------
def server_ready_step(*, require_active: bool = True) -> Step:
    """Before acting: the server exists, is not busy with another action, and can take it."""

    def run(ctx: Context) -> str:
        server = fresh_server(ctx)
        if server.locked:
            ctx.data["note"] = "The server is busy with another action; waiting for it to end."
            return WAIT
        if require_active and server.status != "active":
            raise StepFailed(f"The server is {server.status}; it must be active for this.")
        ctx.data["before"] = {
            "image_id": server.server_image.id if server.server_image else None,
            "plan": server.plan.name if server.plan else None,
        }
        return DONE

    return Step("check", "Checking the server", run, progress=5, polls="server")


def wait_server_step(
    label: str,
    *,
    done_when: Callable[[Context, Any], bool] | None = None,
    progress: int = 95,
    park_first: bool = False,
) -> Step:
    """Wait until VPSBG unlocks the server (its action ended), then check the result.

    `park_first`: the action takes minutes, so the first look comes after one poll interval (the
    account poller's list), not a read right after VPSBG accepted it.
    """

    def run(ctx: Context) -> str:
        server = fresh_server(ctx)
        if server.locked:
            return WAIT
        if done_when is not None and not done_when(ctx, server):
            raise StepFailed(f"{label}: VPSBG finished, but the server does not show the expected change.")
        return DONE

    return Step("wait", label, run, progress=progress, deadline=None, polls="server", park_first=park_first)


def order_ids(ctx: Context, account: str) -> list[int]:
    """The ids of the account's newest orders, as VPSBG lists them now."""
    result = billing.orders_list(actor=ctx.actor, per_page=50, account=account)
    return [item.id for item in result.items if item.id is not None]


def recent_order(
    ctx: Context, account: str, order_type: str, since: datetime, *, known: Sequence[int] | None = None
) -> int | None:
    """The newest order of `order_type` not in `known` (the ids VPSBG listed before the call) or,
    without them, created since `since` (adopting an order whose answer was lost)."""
    result = billing.orders_list(actor=ctx.actor, per_page=50, account=account)
    for item in result.items:
        if item.type != order_type or item.id is None:
            continue
        if known is not None and item.id not in known:
            return item.id
        if known is None and item.created_at is not None and item.created_at >= since:
            return item.id
    return None


def place_order(
    ctx: Context, *, key: str, account: str, order_type: str, call: Callable[[], Any]
) -> Callable[[Context], str]:
    """Create an order at most once and remember it in `data["orders"]`.

    Before the first call, the ids of the account's orders are kept: after a lost answer, an order
    of the type VPSBG lists beyond them is this one (no clock of VPSBG's compared with ours).
    """

    def verify() -> bool:
        mark = StepMark.objects.filter(operation=ctx.op, step=key).first()
        since = (mark.at if mark else timezone.now()) - timedelta(seconds=10)
        known = ctx.data.get("orders_before", {}).get(key)
        order_id = recent_order(ctx, account, order_type, since, known=known)
        if order_id is not None:
            ctx.data.setdefault("orders", []).append(f"{account}:{order_id}")
            return True
        return False

    def run(_: Context) -> str:
        before = ctx.data.setdefault("orders_before", {})
        if key not in before and not StepMark.objects.filter(operation=ctx.op, step=key).exists():
            before[key] = order_ids(ctx, account)
            ctx.save()  # kept before the call, so a lost answer can be told apart
        result = ctx.once(key, call, verify)
        before.pop(key, None)
        if not before:
            ctx.data.pop("orders_before", None)
        if result is not None:
            order_id = getattr(result, "id", None)
            if order_id is None and isinstance(result, dict):
                order_id = result.get("id")
            if order_id is None:
                raise StepFailed("VPSBG accepted the order but did not say its number; see Billing > Orders.")
            ctx.data.setdefault("orders", []).append(f"{account}:{order_id}")
            ctx.log(f"VPSBG created order {order_id}.")
        return DONE

    return run


def order_step(
    key: str, label: str, order_type: str, make: Callable[[Context], Any], *, progress: int
) -> Step:
    """A step that places one order (deploy, scale, renew...) at most once."""

    def run(ctx: Context) -> str:
        account = ctx.op.account_id
        return place_order(ctx, key=key, account=account, order_type=order_type, call=lambda: make(ctx))(ctx)

    return Step(key, label, run, progress=progress, point_of_no_return=True)


def pay_step(progress: int) -> Step:
    """Pay every order in `data["orders"]` still awaiting payment (each at most once)."""

    def run(ctx: Context) -> str:
        waiting = False
        for ref in ctx.data.get("orders", []):
            state = ctx.pay(ref, partial(_order_status, ctx, ref))
            if state == WAIT or state == "processing":
                waiting = True
            elif state not in (ORDER_PAID, "awaiting_payment"):
                raise StepFailed(f"Order {ref.rpartition(':')[2]} is {state}; it cannot be paid.")
            elif state == "awaiting_payment":
                waiting = True
        return WAIT if waiting else DONE

    return Step("pay", "Paying the order", run, progress=progress, point_of_no_return=True)
