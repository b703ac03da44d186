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
from panel.actions import billing as actions
from panel.actions.base import Action
from panel.actions.forms import form_class
from panel.core.errors import InvalidInput, NotFoundError, PanelError
from panel.core.sorting import SortOrder, sort_rows
from panel.services import billing, payments
from panel.services.context import Ref
from panel.services.registry import reaches

from .. import action_runs
from ..action_runs import page_form
from ..common import (
    account_choice,
    actor_for,
    allowed_actions,
    chosen_account,
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


class _ReasonPage(forms.Form):
    reason = forms.CharField(
        label="Reason", required=False, max_length=500, help_text="Kept in the audit log."
    )


DepositForm = page_form(actions.DEPOSIT, form_class(actions.DepositInput, _ReasonPage))


class _OrderUpdatePage(OwnIds, _ReasonPage):
    ids = "update"

    def __init__(self, *args: Any, from_balance: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not from_balance:  # a deposit: VPSBG never takes it from the balance (`payments`)
            self.fields["auto_pay"].label = "Pay automatically with the saved card"
            field = self.fields["payment_method"]
            field.choices = [c for c in field.choices if c[0] != "balance"]  # type: ignore[attr-defined]


OrderUpdateForm = page_form(actions.ORDER_UPDATE, form_class(actions.OrderUpdateInput, _OrderUpdatePage))


class _PeriodPage(OwnIds, _ReasonPage):
    """One changeable service of the order, chosen in one list (`<type>:<id>`), as the input's
    `service_type` and `service_id`."""

    ids = "period"
    service = forms.ChoiceField(label="Service")

    def __init__(self, data: Any = None, *args: Any, services: Any = (), **kwargs: Any) -> None:
        if data is not None and "service" in data:
            data = data.copy()
            data["service_type"], _, data["service_id"] = str(data["service"]).partition(":")
        super().__init__(data, *args, **kwargs)
        self.fields["service"].choices = services  # type: ignore[attr-defined]
        for name in ("service_type", "service_id", "promo_code"):
            self.fields[name].widget = forms.HiddenInput()
        self.order_fields(["service", "billing_cycle", "reason"])

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error("service" if field in ("service_type", "service_id") else field, error)


RenewalPeriodForm = form_class(actions.RenewalPeriodInput, _PeriodPage)


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
    request: HttpRequest, deposit_form: Any = None, status: int = 200
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
@team_permission_required("balance_deposit", writes=False)
@require_POST
def deposit(request: HttpRequest) -> HttpResponse:
    """Create a deposit order; VPSBG answers with the order to pay by card, bank or bitcoin."""
    try:
        grant = action_runs.authorise(request, actions.DEPOSIT, action_runs.requested_account(request))
    except action_runs.Denied as denied:
        return denied.response
    account = chosen_account(request, team_accounts(request))
    form = DepositForm(request.POST)
    if form.is_valid():
        outcome = action_runs.submit(request, actions.DEPOSIT, form, target=account, grant=grant)
        if outcome is not None:
            order = outcome.value
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
    changeable = _changeable(order)
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


def _order_write(request: HttpRequest, ref: str, action: Action, key: str, form_class: Any) -> HttpResponse:
    """A change of the order (its form on the order page): back to it, or the form again (422)."""
    order_ref = object_ref(ref, "order")
    try:
        grant = action_runs.authorise(request, action, order_ref)
    except action_runs.Denied as denied:
        return denied.response
    options: dict[str, Any] = {}
    if key == "period":
        try:
            order = billing.orders_get(actor=actor_for(request), order=order_ref)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except PanelError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("web:order", kwargs={"ref": str(order_ref)}))
        options["services"] = _changeable(order)
    form = form_class(request.POST, **options)
    if form.is_valid() and action_runs.submit(request, action, form, target=order_ref, grant=grant):
        messages.success(request, action.done_message)
        return redirect(reverse("web:order", kwargs={"ref": str(order_ref)}))
    return _order_page(request, order_ref, forms_={key: form}, status=422)


def _changeable(order: Any) -> list[tuple[str, str]]:
    """The order's services whose renewal period may change, as `<type>:<id>` choices."""
    return [
        (f"{s.service_type}:{s.service_id}", s.label or f"{s.service_type} {s.service_id}")
        for s in order.services or []
        if s.is_period_changeable and s.service_type and s.service_id is not None
    ]


@reaches("orders_update")
@team_permission_required("orders_update", writes=False)
@require_POST
def order_update(request: HttpRequest, ref: str) -> HttpResponse:
    """Change how the order is paid, or apply a promo code."""
    return _order_write(request, ref, actions.ORDER_UPDATE, "update", OrderUpdateForm)


@reaches("orders_get", "orders_change_renewal_period")
@team_permission_required("orders_change_renewal_period", writes=False)
@require_POST
def order_renewal_period(request: HttpRequest, ref: str) -> HttpResponse:
    """Renew one of the order's services for another period."""
    return _order_write(request, ref, actions.CHANGE_RENEWAL_PERIOD, "period", RenewalPeriodForm)


def _confirm_order(request: HttpRequest, ref: str, *, action: str) -> HttpResponse:
    """The pay and delete pages: the order's amount, then a confirmation."""
    order_ref = object_ref(ref, "order")
    declared = actions.PAY_ORDERS if action == "pay" else actions.ORDER_DELETE
    target: Any = order_ref.account_id if action == "pay" else order_ref
    grant = None
    if request.method == "POST":
        try:
            grant = action_runs.authorise(request, declared, target)
        except action_runs.Denied as denied:
            return denied.response
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
        assert grant is not None
        form = ConfirmForm(request.POST, order_id=str(order_ref.id))
        if form.is_valid():
            data = {"ids": [order_ref.int_id]} if action == "pay" else {}
            outcome = action_runs.submit(request, declared, form, target=target, grant=grant, data=data)
            if outcome is not None and outcome.operation is not None:
                messages.success(request, f"Paying order {order_ref.id}: this page follows it to the end.")
                return redirect(outcome.operation.get_absolute_url())
            if outcome is not None:
                messages.success(request, f"Order {order_ref.id} deleted.")
                return redirect(_billing_url(order_ref.account_id, "orders"))
        status = 422
    else:
        form = ConfirmForm(initial={"request_key": uuid.uuid4().hex}, order_id=str(order_ref.id))
    context["form"] = form
    return render(request, "web/billing/confirm.html", context, status=status)


@reaches("orders_get", "balance_get", "orders_pay")
@team_permission_required("orders_pay", writes=False)
def order_pay(request: HttpRequest, ref: str) -> HttpResponse:
    """Pay one order from the balance (GET: the amount and the balance; POST: pay)."""
    return _confirm_order(request, ref, action="pay")


@reaches("orders_get", "orders_delete")
@team_permission_required("orders_delete", writes=False)
def order_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """Delete an unpaid order (GET: what it was for; POST: delete)."""
    return _confirm_order(request, ref, action="delete")
