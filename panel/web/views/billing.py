"""Billing: one VPSBG account's balance, deposits, transactions, invoices and orders.

Paying runs as a long operation (`pay_orders`: it checks the orders, pays once, then confirms), so
a payment is never made twice by a double click. Deleting an order and depositing are single calls
behind a confirmation. Invoice downloads are audited reads (the service records them).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from panel.accounts.decorators import team_permission_required
from panel.core.errors import InvalidInput, NotFoundError, PanelError
from panel.core.sorting import SortOrder, sort_rows
from panel.operations import services as operations
from panel.services import billing, payments
from panel.services.context import Ref
from panel.services.registry import reaches

from ..common import (
    account_choice,
    actor_for,
    allowed_actions,
    chosen_account,
    error_text,
    field_errors,
    object_ref,
    problem_from,
    team_accounts,
)
from ..forms import OwnIds

BILLING_WRITES = (
    "balance_deposit", "invoices_download", "invoices_download_many", "orders_pay", "orders_delete",
    "orders_update", "orders_change_renewal_period",
)  # fmt: skip
# VPSBG sorts none of these lists: each page shown is sorted here, by the column clicked.
SORTS = {
    "orders": SortOrder(
        {"order": "id", "type": "type", "status": "status", "amount": "amount_with_vat", "due": "due_at"},
        default="-order", param="osort", page_param="opage", table="orders",
    ),
    "invoices": SortOrder(
        {"invoice": ("invoice_number", "id"), "date": "created_at", "amount": "amount_with_vat"},
        default="-date", param="isort", page_param="ipage", table="invoices",
    ),
    "transactions": SortOrder(
        {"date": "created_at", "description": "description", "amount": "amount", "balance": "balance_after"},
        default="-date", param="tsort", page_param="tpage", table="transactions",
    ),
}  # fmt: skip
PAYMENT_METHODS = (
    ("balance", "Balance"),
    ("card", "Card"),
    ("bank", "Bank transfer"),
    ("bitcoin", "Bitcoin"),
)


class DepositForm(forms.Form):
    amount = forms.DecimalField(label="Amount", min_value=1, max_value=100_000, decimal_places=2)
    payment_method = forms.ChoiceField(label="Payment method", choices=PAYMENT_METHODS[1:])
    reason = forms.CharField(
        label="Reason", required=False, max_length=500, help_text="Kept in the audit log."
    )


class OrderUpdateForm(OwnIds, forms.Form):
    ids = "update"
    auto_pay = forms.BooleanField(label="Pay automatically from the balance", required=False)
    payment_method = forms.ChoiceField(label="Payment method", choices=PAYMENT_METHODS, required=False)
    promo_code = forms.CharField(label="Promo code", required=False, max_length=50)
    reason = forms.CharField(
        label="Reason", required=False, max_length=500, help_text="Kept in the audit log."
    )

    def __init__(self, *args: Any, from_balance: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not from_balance:  # a deposit: VPSBG never takes it from the balance
            self.fields["auto_pay"].label = "Pay automatically with the saved card"
            self.fields["payment_method"].choices = [("", "—"), *PAYMENT_METHODS[1:]]


class RenewalPeriodForm(OwnIds, forms.Form):
    ids = "period"
    service = forms.ChoiceField(label="Service")
    billing_cycle = forms.TypedChoiceField(
        label="Renewal period",
        coerce=int,
        choices=((1, "1 month"), (3, "3 months"), (6, "6 months"), (12, "12 months"), (24, "24 months")),
    )
    reason = forms.CharField(
        label="Reason", required=False, max_length=500, help_text="Kept in the audit log."
    )

    def __init__(self, *args: Any, services: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = services  # type: ignore[attr-defined]


class ConfirmForm(forms.Form):
    """Paying or deleting an order: its number typed in full, so a click in the wrong tab does nothing."""

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    reason = forms.CharField(
        label="Reason (optional)", required=False, max_length=500, help_text="Kept in the audit log."
    )
    confirm_order = forms.CharField(
        label="Type the order number to confirm",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, order_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_id = order_id
        self.fields["confirm_order"].help_text = f"Type “{order_id}”."

    def clean_confirm_order(self) -> str:
        value = (self.cleaned_data.get("confirm_order") or "").strip().lstrip("#")
        if value != self.order_id:
            raise forms.ValidationError(f"Type the order number exactly: “{self.order_id}”.")
        return value


def _billing_url(account: str | None, anchor: str = "") -> str:
    query = f"?{urlencode({'account': account})}" if account else ""
    return f"{reverse('web:billing')}{query}{'#' + anchor if anchor else ''}"


def _page_number(request: HttpRequest, name: str) -> int:
    try:
        return max(1, min(int(request.GET.get(name, "1")), 10_000))
    except ValueError:
        return 1


def _overview(
    request: HttpRequest, deposit_form: DepositForm | None = None, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        **account_choice(request),
        "may": allowed_actions(request, *BILLING_WRITES),
        "deposit_form": deposit_form or DepositForm(),
    }
    account = context["account"]
    if account is not None:
        actor = actor_for(request)
        reads = {
            "balance": lambda: billing.balance_get(actor=actor, account=account),
            "transactions": lambda: billing.balance_transactions_list(
                actor=actor, account=account, page=_page_number(request, "tpage")
            ),
            "invoices": lambda: billing.invoices_list(
                actor=actor, account=account, page=_page_number(request, "ipage")
            ),
            "orders": lambda: billing.orders_list(
                actor=actor,
                account=account,
                status="awaiting_payment,processing,paid,cancelled",
                per_page=50,
                page=_page_number(request, "opage"),
            ),
        }
        for name, fetch in reads.items():
            try:
                context[name] = fetch()
            except PanelError as exc:
                context[f"{name}_problem"] = problem_from(exc)
                continue
            if name in SORTS:
                context[f"{name}_sort"] = sort_rows(context[name], SORTS[name], request.GET)
                context[name] = context[f"{name}_sort"].rows
    return render(request, "web/billing/index.html", context, status=status)


@reaches("balance_get", "balance_transactions_list", "invoices_list", "orders_list")
@team_permission_required("orders_list")
@require_GET
def billing_index(request: HttpRequest) -> HttpResponse:
    """Balance, deposit form, transactions, invoices and orders of one account (a member limited
    to servers gets their servers' orders and, in place of the account's money, why not)."""
    return _overview(request)


@reaches("balance_deposit")
@team_permission_required("balance_deposit")
@require_POST
def deposit(request: HttpRequest) -> HttpResponse:
    """Create a deposit order; VPSBG answers with the order to pay by card, bank or bitcoin."""
    form = DepositForm(request.POST)
    account = chosen_account(request, team_accounts(request))
    if form.is_valid():
        try:
            order = billing.balance_deposit(
                actor=actor_for(request),
                amount=float(form.cleaned_data["amount"]),
                payment_method=form.cleaned_data["payment_method"],
                account=account,
                reason=form.cleaned_data["reason"],
            )
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except InvalidInput as exc:
            field_errors(form, exc)
        except PanelError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Deposit order {order.id} created; pay it to credit the balance.")
            return redirect(reverse("web:order", kwargs={"ref": f"{account}:{order.id}"}))
    return _overview(request, form, status=422)


# -- invoices ----------------------------------------------------------------------------------------
def _file(download: Any, fallback: str) -> HttpResponse:
    response = HttpResponse(
        download.content, content_type=download.content_type or "application/octet-stream"
    )
    name = (download.filename or fallback).replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response




@reaches("invoices_download")
@team_permission_required("invoices_download")
@require_GET
def invoice_download(request: HttpRequest, ref: str) -> HttpResponse:
    invoice = object_ref(ref, "invoice")
    try:
        download = billing.invoices_download(actor=actor_for(request), invoice=invoice)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PanelError as exc:
        messages.error(request, exc.message)
        return redirect(_billing_url(invoice.account_id, "invoices"))
    return _file(download, f"invoice-{invoice.id}.pdf")


@reaches("invoices_download_many")
@team_permission_required("invoices_download_many")
@require_POST
def invoices_download_many(request: HttpRequest) -> HttpResponse:
    account = chosen_account(request, team_accounts(request))
    ids = [int(v) for v in request.POST.getlist("ids") if v.isascii() and v.isdigit()][:100]
    if not ids:
        messages.error(request, "Choose at least one invoice.")
        return redirect(_billing_url(account, "invoices"))
    try:
        download = billing.invoices_download_many(actor=actor_for(request), ids=ids, account=account)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PanelError as exc:
        messages.error(request, exc.message)
        return redirect(_billing_url(account, "invoices"))
    return _file(download, "invoices.zip")


# -- one order -----------------------------------------------------------------------------------------
def _order_page(
    request: HttpRequest, order_ref: Ref, *, forms_: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    forms_ = forms_ or {}
    context: dict[str, Any] = {"ref": str(order_ref), "may": allowed_actions(request, *BILLING_WRITES)}
    context["back"] = _billing_url(order_ref.account_id, "orders")
    try:
        order = billing.orders_get(actor=actor_for(request), order=order_ref)
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        return render(request, "web/billing/order.html", context)
    context["order"] = order
    changeable = [
        (f"{s.service_type}:{s.service_id}", s.label or f"{s.service_type} {s.service_id}")
        for s in order.services or []
        if s.is_period_changeable and s.service_type and s.service_id is not None
    ]
    context["open"] = order.status == "awaiting_payment"
    context["from_balance"] = payments.payable_from_balance(order)
    context["need"] = payments.payment_need(order)
    context["update_form"] = forms_.get("update") or OrderUpdateForm(
        initial={"auto_pay": order.auto_pay, "payment_method": order.payment_method},
        from_balance=context["from_balance"],
    )
    context["period_form"] = forms_.get("period") or RenewalPeriodForm(services=changeable)
    context["changeable"] = changeable
    return render(request, "web/billing/order.html", context, status=status)


@reaches("orders_get")
@team_permission_required("orders_get")
@require_GET
def order_detail(request: HttpRequest, ref: str) -> HttpResponse:
    return _order_page(request, object_ref(ref, "order"))


def _order_write(
    request: HttpRequest, order_ref: Ref, key: str, form: forms.Form, call: Any, ok: str
) -> HttpResponse:
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except InvalidInput as exc:
            field_errors(form, exc)
        except PanelError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, ok)
            return redirect(reverse("web:order", kwargs={"ref": str(order_ref)}))
    return _order_page(request, order_ref, forms_={key: form}, status=422)


@reaches("orders_update")
@team_permission_required("orders_update")
@require_POST
def order_update(request: HttpRequest, ref: str) -> HttpResponse:
    order_ref = object_ref(ref, "order")
    form = OrderUpdateForm(request.POST)
    return _order_write(
        request,
        order_ref,
        "update",
        form,
        lambda d: billing.orders_update(
            actor=actor_for(request),
            order=order_ref,
            auto_pay=d["auto_pay"],
            payment_method=d["payment_method"] or None,
            promo_code=d["promo_code"] or None,
            reason=d["reason"],
        ),
        "Order updated.",
    )


@reaches("orders_get", "orders_change_renewal_period")
@team_permission_required("orders_change_renewal_period")
@require_POST
def order_renewal_period(request: HttpRequest, ref: str) -> HttpResponse:
    order_ref = object_ref(ref, "order")
    try:
        order = billing.orders_get(actor=actor_for(request), order=order_ref)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PanelError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("web:order", kwargs={"ref": str(order_ref)}))
    services = [
        (f"{s.service_type}:{s.service_id}", s.label or "")
        for s in order.services or []
        if s.is_period_changeable and s.service_type and s.service_id is not None
    ]
    form = RenewalPeriodForm(request.POST, services=services)

    def call(d: dict[str, Any]) -> None:
        service_type, _, service_id = d["service"].partition(":")
        billing.orders_change_renewal_period(
            actor=actor_for(request),
            order=order_ref,
            service_type=service_type,
            service_id=service_id,
            billing_cycle=d["billing_cycle"],
            reason=d["reason"],
        )

    return _order_write(request, order_ref, "period", form, call, "Renewal period changed.")


def _confirm_order(request: HttpRequest, ref: str, *, action: str) -> HttpResponse:
    """The pay and delete pages: the order's amount, then a confirmation."""
    order_ref = object_ref(ref, "order")
    context: dict[str, Any] = {"ref": str(order_ref), "action": action}
    context["back"] = reverse("web:order", kwargs={"ref": str(order_ref)})
    try:
        context["order"] = billing.orders_get(actor=actor_for(request), order=order_ref)
        if action == "pay" and not payments.payable_from_balance(context["order"]):
            raise InvalidInput(payments.DEPOSIT_NEEDS, code="not_payable_from_balance")
        if action == "pay":
            context["balance"] = billing.balance_get(actor=actor_for(request), account=order_ref.account_id)
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        return render(request, "web/billing/confirm.html", context)
    status = 200
    if request.method == "POST":
        form = ConfirmForm(request.POST, order_id=str(order_ref.id))
        if form.is_valid():
            try:
                if action == "pay":
                    operation = operations.start(
                        actor=actor_for(request),
                        kind="pay_orders",
                        params={"orders": [str(order_ref)]},
                        idempotency_key=form.cleaned_data["request_key"],
                        request=request,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, f"Paying order {order_ref.id}: this page follows it to the end."
                    )
                    return redirect(operation.get_absolute_url())
                billing.orders_delete(
                    actor=actor_for(request), order=order_ref, reason=form.cleaned_data["reason"]
                )
                messages.success(request, f"Order {order_ref.id} deleted.")
                return redirect(_billing_url(order_ref.account_id, "orders"))
            except NotFoundError as exc:
                raise Http404(exc.message) from exc
            except PanelError as exc:
                form.add_error(None, error_text(exc))
        status = 422
    else:
        form = ConfirmForm(initial={"request_key": uuid.uuid4().hex}, order_id=str(order_ref.id))
    context["form"] = form
    return render(request, "web/billing/confirm.html", context, status=status)


@reaches("orders_get", "balance_get", "orders_pay")
@team_permission_required("orders_pay")
def order_pay(request: HttpRequest, ref: str) -> HttpResponse:
    """Pay one order from the balance (GET: the amount and the balance; POST: pay)."""
    return _confirm_order(request, ref, action="pay")


@reaches("orders_get", "orders_delete")
@team_permission_required("orders_delete")
def order_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """Delete an unpaid order (GET: what it was for; POST: delete)."""
    return _confirm_order(request, ref, action="delete")
