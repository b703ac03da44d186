"""Orders (list, get, pay, update, cancel, renewal period) and invoices (list, PDF download)."""

from __future__ import annotations

from typing import Any

from ..context import Ctx, Reply, csv_filter, handles, paginate
from ..domain import TAX_RATE, mark_paid, pay_from_balance, render_order, settle_order
from ..errors import ApiError, invalid, not_found
from ..pdf import invoice_pdf, invoices_zip
from ..state import money, public
from .common import int_list, promo_for

ORDER_STATUSES = ("processing", "cancelled", "paid", "awaiting_payment")
PAYMENT_METHODS = ("balance", "card", "bank", "bitcoin", "bitcoin-ln")
BILLING_CYCLES = (1, 3, 6, 12, 24)


def charge(ctx: Ctx, order: dict[str, Any], method: str) -> None:
    """Pay one order with the given method; bank and bitcoin settle after ``action_seconds``."""
    if method == "balance":
        pay_from_balance(ctx.state, order, ctx.now)
    elif method == "card":
        if not ctx.account["has_valid_card"]:
            raise invalid("payment_method", "There is no valid card saved on the account.")
        order["payment_method"] = "card"
        order["payment_information"] = {
            "last_4": "4242",
            "brand": "visa",
            "expiry_month": "05",
            "expiry_year": "2028",
        }
        mark_paid(ctx.state, order, ctx.now)
    else:
        order["payment_method"] = method
        order["status"] = "processing"
        order["_settle_at"] = ctx.now + ctx.action_seconds
    ctx.state.dirty = True


def _order(ctx: Ctx) -> dict[str, Any]:
    order = ctx.state.get_owned("orders", ctx.account_name, ctx.params["id"], "order")
    settle_order(ctx.state, order, ctx.now)
    return order


@handles("orders_list")
def orders_list(ctx: Ctx) -> Any:
    wanted = csv_filter(ctx, "filter[status]", "pending_payment,paid", (*ORDER_STATUSES, "pending_payment"))
    if wanted and "pending_payment" in wanted:
        wanted = (wanted - {"pending_payment"}) | {"awaiting_payment", "processing"}
    orders = []
    for order in ctx.state.owned("orders", ctx.account_name):
        settle_order(ctx.state, order, ctx.now)
        if wanted is None or order["status"] in wanted:
            orders.append(order)
    orders.sort(key=lambda o: -o["id"])
    return paginate(ctx, orders, lambda o: render_order(ctx.state, o, ctx.now, full=False))


@handles("orders_get")
def orders_get(ctx: Ctx) -> Any:
    return render_order(ctx.state, _order(ctx), ctx.now)


@handles("orders_delete")
def orders_delete(ctx: Ctx) -> Any:
    order = _order(ctx)
    if order["status"] != "awaiting_payment":
        raise invalid("id", f"Only orders awaiting payment can be cancelled; this one is {order['status']}.")
    order["status"] = "cancelled"
    for fid in next((e["ids"] for e in order["_effects"] if e["kind"] == "floating_ips"), []):
        fip = ctx.state.coll("floating_ips").get(str(fid))
        if fip and fip["status"] == "pending":
            fip["status"] = "cancelled"
    ctx.state.dirty = True
    return render_order(ctx.state, order, ctx.now)


@handles("orders_update")
def orders_update(ctx: Ctx) -> Any:
    order = _order(ctx)
    body = ctx.body
    known = {"auto_pay", "payment_method"}
    if not set(body) & known:
        raise ApiError(
            422,
            "Nothing to update: send auto_pay and/or payment_method.",
            {"auto_pay": ["The auto pay field is required when payment method is not present."]},
        )
    if order["status"] != "awaiting_payment":
        raise invalid("id", "Only orders awaiting payment can be changed.")
    if "auto_pay" in body and not isinstance(body["auto_pay"], bool):
        raise invalid("auto_pay", "The auto pay field must be true or false.")
    if "payment_method" in body and body["payment_method"] not in PAYMENT_METHODS:
        raise invalid("payment_method", "The selected payment method is invalid.")
    order.update({k: body[k] for k in known if k in body})
    ctx.state.dirty = True
    return render_order(ctx.state, order, ctx.now)


@handles("orders_change_renewal_period")
def orders_change_renewal_period(ctx: Ctx) -> Any:
    order = _order(ctx)
    if order["status"] != "awaiting_payment":
        raise invalid("billing_cycle", "Only orders awaiting payment can change their renewal period.")
    cycle = ctx.body["billing_cycle"]
    if cycle not in BILLING_CYCLES:
        raise invalid("billing_cycle", "The billing cycle must be one of 1, 3, 6, 12, 24.")
    line = next(
        (
            line
            for line in order["services"]
            if line.get("service_type") == ctx.params["service_type"]
            and str(line.get("service_id")) == ctx.params["service_id"]
        ),
        None,
    )
    if line is None:
        raise not_found("order service")
    if not line.get("is_period_changeable"):
        raise invalid("billing_cycle", "The period of this service cannot be changed.")
    promo = promo_for(ctx, ctx.b("promo_code"), cycle)
    server = ctx.state.coll("servers").get(str(line["service_id"]))
    monthly = (
        server["plan"]["price"] if server else line["amount"] / max(line["service_billing_cycle"] or 1, 1)
    )
    amount = monthly * cycle * (1 - (promo["percentage"] if promo else 0) / 100)
    line.update(
        amount=money(amount),
        amount_with_vat=money(amount * TAX_RATE),
        service_billing_cycle=cycle,
        promo={"code": promo["code"], "percentage": promo["percentage"]} if promo else None,
    )
    if line.get("period_from"):
        line["period_to"] = int(line["period_from"] + cycle * 30 * 86400)
    for effect in order["_effects"]:
        if effect["kind"] == "renew":
            effect["billing_cycle"] = cycle
    order["amount"] = money(sum(x["amount"] for x in order["services"]))
    order["amount_with_vat"] = money(order["amount"] * TAX_RATE)
    invoices = ctx.state.coll("invoices")
    for iid in order["invoice_ids"]:
        invoices[str(iid)].update(amount=order["amount"], amount_with_vat=order["amount_with_vat"])
    ctx.state.dirty = True
    return None


@handles("orders_pay")
def orders_pay(ctx: Ctx) -> Any:
    method = ctx.b("payment_method") or "balance"
    ids = int_list(ctx, "ids", required=False)
    if ids:
        orders = []
        for i, oid in enumerate(ids):
            order = ctx.state.coll("orders").get(str(oid))
            if order is None or order["_account"] != ctx.account_name:
                raise invalid(f"ids.{i}", f"The selected ids.{i} is invalid.")
            settle_order(ctx.state, order, ctx.now)
            if order["status"] != "awaiting_payment":
                raise invalid(f"ids.{i}", f"Order {oid} is not awaiting payment ({order['status']}).")
            orders.append(order)
    else:
        orders = [o for o in ctx.state.owned("orders", ctx.account_name) if o["status"] == "awaiting_payment"]
        if method == "balance":
            orders = [o for o in orders if o["type"] != "deposit"]
    if not orders:
        raise invalid("ids", "There are no orders awaiting payment.")
    if method == "balance":
        if any(o["type"] == "deposit" for o in orders):
            raise invalid("payment_method", "Deposits cannot be paid from balance.")
        total = money(sum(o["amount_with_vat"] for o in orders))
        if total > ctx.account["balance"] + 1e-9:
            raise invalid(
                "payment_method",
                f"Insufficient balance: {total:.2f} EUR needed, {ctx.account['balance']:.2f} EUR available.",
            )
    for order in sorted(orders, key=lambda o: o["id"]):
        charge(ctx, order, method)
    return {"data": [render_order(ctx.state, o, ctx.now, full=False) for o in orders]}


@handles("invoices_list")
def invoices_list(ctx: Ctx) -> Any:
    for order in ctx.state.owned("orders", ctx.account_name):
        settle_order(ctx.state, order, ctx.now)
    invoices = sorted(ctx.state.owned("invoices", ctx.account_name), key=lambda i: -i["id"])
    return paginate(ctx, invoices, public, default_per_page=30)


def _pdf(ctx: Ctx, invoice: dict[str, Any]) -> tuple[str, bytes]:
    orders = [
        ctx.state.coll("orders")[str(i)] for i in invoice["order_ids"] if str(i) in ctx.state.coll("orders")
    ]
    return f"invoice-{invoice['invoice_number']}.pdf", invoice_pdf(invoice, orders, ctx.account["user"])


@handles("invoices_download")
def invoices_download(ctx: Ctx) -> Any:
    invoice = ctx.state.get_owned("invoices", ctx.account_name, ctx.params["id"], "invoice")
    name, data = _pdf(ctx, invoice)
    return Reply(200, data, "application/pdf", {"Content-Disposition": f'attachment; filename="{name}"'})


@handles("invoices_download_many")
def invoices_download_many(ctx: Ctx) -> Any:
    """A zip of one PDF per invoice (all of the account's invoices when ``ids`` is empty)."""
    ids = int_list(ctx, "ids", required=False)
    if ids:
        from .common import own_ids

        invoices = own_ids(ctx, "invoices", "ids", ids)
    else:
        invoices = sorted(ctx.state.owned("invoices", ctx.account_name), key=lambda i: i["id"])
    if not invoices:
        raise invalid("ids", "There are no invoices to download.")
    archive = invoices_zip([_pdf(ctx, inv) for inv in invoices])
    return Reply(
        200, archive, "application/zip", {"Content-Disposition": 'attachment; filename="invoices.zip"'}
    )
