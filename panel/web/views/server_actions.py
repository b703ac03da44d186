"""Server actions behind a confirmation page: what will happen, what it costs, then confirm.

Reinstall, restore, snapshots, rescue, password, primary IP, renew and scale run as long
operations (`panel.operations`): the page starts one and sends the member to its progress page.
Cancel and undo-cancel are single VPSBG calls. Destructive or paying actions ask for the server's
hostname typed in full; costs come from VPSBG's calculate endpoints before anything is confirmed.

Each action is one row of `ACTIONS`; one helper, `confirm_page`, serves them all (GET shows the
page, and the cost for the choices made with "Show cost"; POST confirms). Reinstall is converted
to `panel.actions`: its own view function, its form derived from its input type, run through the
actions pipeline. The others still have views generated from their rows (to be converted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from panel.accounts.decorators import render_denied, team_permission_required
from panel.actions import pipeline
from panel.actions import servers as action_declarations
from panel.actions.base import Action
from panel.actions.pipeline import Refused
from panel.core.errors import InvalidInput, NotFoundError, PanelError
from panel.operations import services as operations
from panel.services import library, network, servers
from panel.services.context import ServerRef
from panel.services.registry import reaches

from .. import action_forms as f
from ..common import actor_for, error_text, field_errors, problem_from
from ..server_tabs import ACTION_PLACES
from ..templatetags.web_tags import when
from .servers import _ref, _server_or_problem, tab_url

Choices = dict[str, list[tuple[Any, str]]]


@dataclass(frozen=True)
class Cost:
    label: str
    amount: float | None
    amount_with_vat: float | None
    note: str = ""


@dataclass(frozen=True)
class ServerAction:
    slug: str
    operation_id: str
    title: str
    form: type[f.ActionForm]
    what: Callable[[Any], list[str]]
    kind: str | None = None  # the operation kind; None: a direct service call (`perform`)
    confirm: bool = True  # ask for the hostname typed in full
    reads: tuple[str, ...] = ()
    choices: Callable[[HttpRequest, ServerRef, Any], Choices] | None = None
    params: Callable[[ServerRef, dict[str, Any]], dict[str, Any]] | None = None
    perform: Callable[[HttpRequest, ServerRef, dict[str, Any]], str] | None = None
    cost: Callable[[HttpRequest, ServerRef, QueryDict], Cost | None] | None = None
    initial: Callable[[HttpRequest], dict[str, Any]] = field(default=lambda request: {})
    destructive: bool = True
    declared: Action | None = None  # converted to `panel.actions`: run through its pipeline


# -- choices, costs and calls ---------------------------------------------------------------------
def _images(request: HttpRequest, ref: ServerRef, server: Any) -> Choices:
    images = library.server_images_list(actor=actor_for(request), account=ref.account_id)
    keys = library.ssh_keys_list(actor=actor_for(request), account=ref.account_id)
    return {
        "image_id": [
            (i.id, f"{i.name}{' (end of life)' if i.eol else ''}")
            for i in sorted(images, key=lambda i: (bool(i.eol), i.name or ""))
            if i.id is not None
        ],
        "ssh_keys": [(k.id, k.name or f"Key {k.id}") for k in keys if k.id is not None],
    }


def _copies(request: HttpRequest, ref: ServerRef, server: Any, name: str) -> Choices:
    snapshots = library.snapshots_list(actor=actor_for(request), server=ref)
    backups = library.backups_list(actor=actor_for(request), server=ref)
    options: list[tuple[Any, str]] = [
        (f"snapshot:{s.id}", f"Snapshot {s.name or s.id} ({when(s.created_at) or 'date unknown'})")
        for s in snapshots
    ]
    options += [
        (f"backup:{b.id}", f"Backup of {b.created_at:%Y-%m-%d %H:%M}" if b.created_at else f"Backup {b.id}")
        for b in backups
    ]
    return {name: options}


def _addresses(request: HttpRequest, ref: ServerRef, server: Any) -> Choices:
    return {
        "ip_id": [
            (ip.id, f"{ip.ip_address} (IPv{ip.version})")
            for ip in server.ip_addresses or []
            if not ip.main and ip.id is not None
        ]
    }


def _plans(request: HttpRequest, ref: ServerRef, server: Any) -> Choices:
    plans = servers.servers_scale_list_plans(actor=actor_for(request), server=ref)
    return {
        "plan": [
            (p.key, f"{p.name} — {p.vcpus} vCPU, {p.memory} GB RAM, {p.disk} GB disk")
            for p in plans
            if p.key and p.key != (server.plan.key if server.plan else None)
        ]
    }


def _renew_cost(request: HttpRequest, ref: ServerRef, data: QueryDict) -> Cost | None:
    try:
        cycle = int(data.get("billing_cycle", ""))
    except ValueError:
        return None
    if cycle not in dict(f.BILLING_CYCLES):
        return None
    quote = servers.servers_calculate_renew(actor=actor_for(request), servers=[ref], billing_cycle=cycle)
    due = quote.due_today_amount_with_vat
    return Cost(
        f"Renewal for {cycle} month{'s' if cycle > 1 else ''}",
        quote.amount,
        quote.amount_with_vat,
        f"Due today: {due:.2f} (VAT included), paid from the account's balance." if due is not None else "",
    )


def _scale_cost(request: HttpRequest, ref: ServerRef, data: QueryDict) -> Cost | None:
    plan = (data.get("plan") or "").strip()[:100]
    if not plan:
        return None
    scale_disk = data.get("scale_disk") in ("on", "true", "1")
    quote = servers.servers_scale_calculate(
        actor=actor_for(request), server=ref, plan=plan, scale_disk=scale_disk
    )
    note = f"Expected downtime: {quote.estimated_downtime}." if quote.estimated_downtime else ""
    return Cost(f"Scale to {plan}", quote.amount, quote.amount_with_vat, note)


def _cancel(request: HttpRequest, ref: ServerRef, data: dict[str, Any]) -> str:
    servers.servers_cancel(
        actor=actor_for(request), server=ref, reason=data["reason"] or None, now=data["now"]
    )
    return "Cancellation requested."


def _undo_cancel(request: HttpRequest, ref: ServerRef, data: dict[str, Any]) -> str:
    servers.servers_undo_cancel(actor=actor_for(request), server=ref, reason=data["reason"])
    return "Cancellation withdrawn."


BANDWIDTH_ADDONS = ("100mbps-unmetered", "1gbps-unmetered")


def _purchase_kwargs(key: str) -> dict[str, Any] | None:
    """The purchase call's arguments for an offer key; None for offers bought elsewhere."""
    if key == "backups":
        return {"backups": True}
    if key.startswith("cpanel-"):
        return {"cpanel": key}
    if key in BANDWIDTH_ADDONS:
        return {"bandwidth": key}
    return None


def _offers(request: HttpRequest, ref: ServerRef, server: Any) -> Choices:
    offers = servers.servers_addons_list(actor=actor_for(request), server=ref)
    return {
        "addon": [
            (o.key, f"{o.key} — {o.price_with_vat:.2f} a month, {o.price_until_expiry_with_vat:.2f} due now")
            if o.price_with_vat is not None and o.price_until_expiry_with_vat is not None
            else (o.key, o.key)
            for o in offers
            if o.key and _purchase_kwargs(o.key) is not None
        ]
    }


def _offer_cost(request: HttpRequest, ref: ServerRef, data: QueryDict) -> Cost | None:
    key = (data.get("addon") or "").strip()
    if not key:
        return None
    for offer in servers.servers_addons_list(actor=actor_for(request), server=ref):
        if offer.key == key:
            return Cost(
                f"{key} until the server's expiry",
                offer.price_until_expiry,
                offer.price_until_expiry_with_vat,
                f"Then {offer.price_with_vat:.2f} a month with the server's renewals."
                if offer.price_with_vat is not None
                else "",
            )
    return None


def _addon_scale_cost(request: HttpRequest, ref: ServerRef, data: QueryDict) -> Cost | None:
    def number(name: str) -> int | None:
        value = (data.get(name) or "").strip()
        return int(value) if value.isascii() and value.isdigit() and 0 < int(value) <= 1000 else None

    cpanel = (data.get("cpanel") or "").strip()[:40] or None
    rds, office = number("microsoft_rds_sal"), number("microsoft_office_sal")
    if cpanel is None and rds is None and office is None:
        return None
    quote = servers.servers_addons_scale_calculate(
        actor=actor_for(request),
        server=ref,
        microsoft_rds_sal=rds or 0,
        cpanel=cpanel,
        microsoft_office_sal=office,
    )
    return Cost("Change of addons", quote.amount, quote.amount_with_vat)


def _addons_of(server: Any) -> Choices:
    return {
        "addon": [
            (a.id, f"{a.name}{f' ×{a.quantity}' if a.quantity and a.quantity > 1 else ''} ({a.status})")
            for a in server.addons or []
            if a.id is not None
        ]
    }


def _buy_addon(request: HttpRequest, ref: ServerRef, data: dict[str, Any]) -> str:
    kwargs = _purchase_kwargs(data["addon"]) or {}
    servers.servers_addons_purchase(actor=actor_for(request), server=ref, **kwargs)
    return f"Addon {data['addon']} ordered."


def _cancel_addon(request: HttpRequest, ref: ServerRef, data: dict[str, Any]) -> str:
    servers.servers_addons_cancel(
        actor=actor_for(request),
        server=ref,
        server_addon_id=data["addon"],
        reason=data["reason"],
        now=data["now"],
    )
    return "Addon cancellation requested."


def _undo_cancel_addon(request: HttpRequest, ref: ServerRef, data: dict[str, Any]) -> str:
    servers.servers_addons_undo_cancel(
        actor=actor_for(request), server=ref, server_addon_id=data["addon"], reason=data["reason"]
    )
    return "Addon cancellation withdrawn."


def _floating_ips(request: HttpRequest, ref: ServerRef, server: Any, *, attached: bool) -> Choices:
    """The account's floating IPs attached to this server (`attached`), or free to attach."""
    found = network.floating_ips_list(actor=actor_for(request), account=ref.account_id, per_page=50)
    return {
        "floating_ip": [
            (ip.id, ip.ip_address.ip_address if ip.ip_address and ip.ip_address.ip_address else f"#{ip.id}")
            for ip in found
            if ip.id is not None and ((ip.server_id == server.id) if attached else ip.server_id is None)
        ]
    }


def _boot_images(request: HttpRequest, ref: ServerRef, server: Any) -> Choices:
    images = library.measured_boot_images_list(actor=actor_for(request), account=ref.account_id)
    return {"kernel_image_id": [("", "None (off)")] + [(i.id, i.name or f"Image {i.id}") for i in images]}


def _set_boot(request: HttpRequest, ref: ServerRef, data: dict[str, Any]) -> str:
    servers.servers_set_measured_boot(
        actor=actor_for(request), server=ref, kernel_image_id=data["kernel_image_id"], reason=data["reason"]
    )
    return "Measured boot updated."


def _on(ref: ServerRef, data: dict[str, Any]) -> dict[str, Any]:
    return {"server": str(ref)}


def _copy_target(ref: ServerRef, data: dict[str, Any]) -> dict[str, Any]:
    kind, ident = data["target"]
    return {kind: f"{ref.account_id}:{ident}"}


def _restore_params(ref: ServerRef, data: dict[str, Any]) -> dict[str, Any]:
    kind, ident = data["source"]
    return {"server": str(ref), f"{kind}_id": ident}


def _delete_kind(request: HttpRequest) -> dict[str, Any]:
    return {"target": request.GET.get("target", "")}


def _source(request: HttpRequest) -> dict[str, Any]:
    return {"source": request.GET.get("source", "")}


# -- the actions -----------------------------------------------------------------------------------
ACTIONS: tuple[ServerAction, ...] = (
    ServerAction(
        "reinstall",
        "servers_reinstall",
        "Reinstall",
        f.ReinstallForm,
        lambda s: [f"Everything on the disk of {s.hostname} is erased.", "The chosen image is installed."],
        reads=("server_images_list", "ssh_keys_list"),
        choices=_images,
        declared=action_declarations.REINSTALL,
    ),
    ServerAction(
        "restore",
        "servers_restore",
        "Restore",
        f.RestoreForm,
        lambda s: [
            f"The disk of {s.hostname} is replaced by the chosen copy.",
            "Changes made since are lost.",
        ],
        kind="restore",
        reads=("snapshots_list", "backups_list"),
        choices=lambda request, ref, server: _copies(request, ref, server, "source"),
        params=_restore_params,
        initial=_source,
    ),
    ServerAction(
        "snapshot",
        "servers_snapshots_create",
        "Take a snapshot",
        f.SnapshotCreateForm,
        lambda s: [f"A snapshot of {s.hostname}'s disk is taken; the server may pause briefly."],
        kind="snapshot_create",
        confirm=False,
        destructive=False,
        params=lambda ref, d: {"server": str(ref), "name": d["name"]},
    ),
    ServerAction(
        "delete-snapshot",
        "snapshots_delete",
        "Delete a snapshot",
        f.SnapshotDeleteForm,
        lambda s: ["The chosen snapshot is deleted for good."],
        kind="snapshot_delete",
        reads=("snapshots_list",),
        choices=lambda request, ref, server: {
            "target": [
                c for c in _copies(request, ref, server, "target")["target"] if c[0].startswith("snapshot:")
            ]
        },
        params=_copy_target,
        initial=_delete_kind,
    ),
    ServerAction(
        "delete-backup",
        "backups_delete",
        "Delete a backup",
        f.SnapshotDeleteForm,
        lambda s: ["The chosen backup is deleted for good."],
        kind="backup_delete",
        reads=("backups_list",),
        choices=lambda request, ref, server: {
            "target": [
                c for c in _copies(request, ref, server, "target")["target"] if c[0].startswith("backup:")
            ]
        },
        params=_copy_target,
        initial=_delete_kind,
    ),
    ServerAction(
        "rescue-on",
        "servers_rescue_enable",
        "Start rescue mode",
        f.RescueForm,
        lambda s: [
            f"{s.hostname} restarts into a rescue system; its own system does not run until you end it."
        ],
        kind="rescue_on",
        params=_on,
    ),
    ServerAction(
        "rescue-off",
        "servers_rescue_disable",
        "End rescue mode",
        f.RescueForm,
        lambda s: [f"{s.hostname} restarts into its own system."],
        kind="rescue_off",
        confirm=False,
        destructive=False,
        params=_on,
    ),
    ServerAction(
        "password",
        "servers_change_password",
        "Change the root password",
        f.PasswordForm,
        lambda s: [f"The root password of {s.hostname} is replaced.", "The server reboots to apply it."],
        kind="password",
        params=lambda ref, d: {"server": str(ref), "password": d["password"]},
    ),
    ServerAction(
        "primary-ip",
        "servers_change_primary_ip",
        "Change the primary IP address",
        f.PrimaryIpForm,
        lambda s: [
            f"The chosen address becomes the primary address of {s.hostname}.",
            "The server restarts.",
        ],
        kind="primary_ip",
        choices=_addresses,
        params=lambda ref, d: {"server": str(ref), "ip_id": d["ip_id"]},
    ),
    ServerAction(
        "renew",
        "servers_renew",
        "Renew",
        f.RenewForm,
        lambda s: [
            f"An order renewing {s.hostname} is created and paid from the account's balance.",
            f"It expires on {s.expiry_at:%Y-%m-%d} now; the renewal extends that." if s.expiry_at else "",
        ],
        kind="renew",
        reads=("servers_calculate_renew",),
        cost=_renew_cost,
        params=lambda ref, d: {"servers": [str(ref)], "billing_cycle": d["billing_cycle"]},
    ),
    ServerAction(
        "scale",
        "servers_scale",
        "Scale to another plan",
        f.ScaleForm,
        lambda s: [
            f"{s.hostname} moves to the chosen plan; the difference is ordered and paid from the balance.",
            "The server restarts.",
        ],
        kind="scale",
        reads=("servers_scale_list_plans", "servers_scale_calculate"),
        choices=_plans,
        cost=_scale_cost,
        params=lambda ref, d: {"server": str(ref), "plan": d["plan"], "scale_disk": d["scale_disk"]},
    ),
    ServerAction(
        "buy-addon",
        "servers_addons_purchase",
        "Buy an addon",
        f.AddonPurchaseForm,
        lambda s: [
            f"The addon is added to {s.hostname} and paid from the account's balance until its expiry."
        ],
        reads=("servers_addons_list",),
        choices=_offers,
        cost=_offer_cost,
        perform=_buy_addon,
    ),
    ServerAction(
        "scale-addons",
        "servers_addons_scale",
        "Change licences",
        f.AddonScaleForm,
        lambda s: [
            f"The licences of {s.hostname} change; the difference is ordered and paid from the balance."
        ],
        kind="scale_addons",
        reads=("servers_addons_scale_calculate",),
        cost=_addon_scale_cost,
        params=lambda ref, d: {
            "server": str(ref),
            "cpanel": d["cpanel"] or None,
            "microsoft_rds_sal": d["microsoft_rds_sal"],
            "microsoft_office_sal": d["microsoft_office_sal"],
        },
    ),
    ServerAction(
        "cancel-addon",
        "servers_addons_cancel",
        "Cancel an addon",
        f.AddonCancelForm,
        lambda s: ["The chosen addon is not renewed and ends with the paid period (or now, if you choose)."],
        choices=lambda request, ref, server: _addons_of(server),
        perform=_cancel_addon,
    ),
    ServerAction(
        "undo-cancel-addon",
        "servers_addons_undo_cancel",
        "Keep a cancelled addon",
        f.AddonUndoCancelForm,
        lambda s: ["The addon's cancellation is withdrawn; it renews with the server."],
        confirm=False,
        destructive=False,
        choices=lambda request, ref, server: _addons_of(server),
        perform=_undo_cancel_addon,
    ),
    ServerAction(
        "attach-floating-ip",
        "floating_ips_attach",
        "Attach a floating IP",
        f.FloatingIpForm,
        lambda s: [f"The floating IP is routed to {s.hostname}."],
        kind="floating_ip_attach",
        confirm=False,
        destructive=False,
        reads=("floating_ips_list",),
        choices=lambda request, ref, server: _floating_ips(request, ref, server, attached=False),
        params=lambda ref, d: {"server": str(ref), "ids": [d["floating_ip"]]},
    ),
    ServerAction(
        "detach-floating-ip",
        "floating_ips_detach",
        "Detach a floating IP",
        f.FloatingIpForm,
        lambda s: [f"The floating IP stops reaching {s.hostname}; services using it there stop answering."],
        kind="floating_ip_detach",
        reads=("floating_ips_list",),
        choices=lambda request, ref, server: _floating_ips(request, ref, server, attached=True),
        params=lambda ref, d: {"account": ref.account_id, "ids": [d["floating_ip"]]},
    ),
    ServerAction(
        "measured-boot",
        "servers_set_measured_boot",
        "Measured boot",
        f.MeasuredBootForm,
        lambda s: [f"{s.hostname} boots the chosen Unified Kernel Image from its next start."],
        reads=("measured_boot_images_list",),
        choices=_boot_images,
        perform=_set_boot,
    ),
    ServerAction(
        "cancel",
        "servers_cancel",
        "Cancel the server",
        f.CancelForm,
        lambda s: [
            f"{s.hostname} is not renewed and is deleted with its data when its paid period ends"
            + (f" ({s.expiry_at:%Y-%m-%d})." if s.expiry_at else "."),
            "Until then you can withdraw the cancellation.",
        ],
        perform=_cancel,
    ),
    ServerAction(
        "undo-cancel",
        "servers_undo_cancel",
        "Withdraw the cancellation",
        f.UndoCancelForm,
        lambda s: [f"{s.hostname} stays and renews as before."],
        confirm=False,
        destructive=False,
        perform=_undo_cancel,
    ),
)
BY_SLUG = {action.slug: action for action in ACTIONS}
CONVERTED = ("reinstall",)  # served by their own view functions below, through the pipeline


# -- the view ---------------------------------------------------------------------------------------
def _start(
    request: HttpRequest, action: ServerAction, ref: ServerRef, form: Any, grant: pipeline.Grant | None
) -> HttpResponse:
    data: dict[str, Any] = form.cleaned_data
    if action.declared is not None:
        outcome = pipeline.submit(
            action.declared,
            actor=actor_for(request),
            target=ref,
            data=form.input,
            reason=data.get("reason") or "",
            idempotency_key=data.get("request_key") or "",
            grant=grant,
        )
        messages.success(request, f"{action.title}: started. This page follows it to the end.")
        return redirect(reverse("operations:detail", kwargs={"pk": outcome.operation.pk}))
    if action.perform is not None:
        messages.success(request, action.perform(request, ref, data))
        return redirect(tab_url(ref, ACTION_PLACES[action.slug][0]))  # where the undo is offered
    assert action.kind is not None and action.params is not None
    operation = operations.start(
        actor=actor_for(request),
        kind=action.kind,
        params=action.params(ref, data),
        idempotency_key=data.get("request_key") or "",
        request=request,
        reason=data.get("reason") or "",
    )
    messages.success(request, f"{action.title}: started. This page follows it to the end.")
    return redirect(reverse("operations:detail", kwargs={"pk": operation.pk}))




def confirm_page(request: HttpRequest, ref: str, action: ServerAction) -> HttpResponse:
    """GET shows the page (and the cost of the choices made); POST confirms and starts the action.

    A converted action is authorised by the pipeline before anything is read or validated, so a
    refused member learns nothing from the page, and its role is checked once.
    """
    server_ref = _ref(ref)
    grant = None
    if request.method == "POST" and action.declared is not None:
        try:
            grant = pipeline.authorise(action.declared, actor_for(request), server_ref)
        except Refused as exc:
            return render_denied(request, exc)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
    context: dict[str, Any] = {
        "action": action,
        "ref": str(server_ref),
        "cost": None,
        "has_cost": action.cost is not None,
        "problem": None,
        "back_url": tab_url(server_ref, ACTION_PLACES[action.slug][0]),
    }
    server, problem = _server_or_problem(request, server_ref)
    if problem is not None:
        context["problem"] = problem
        return render(request, "web/servers/confirm.html", context)
    context["server"] = server
    context["what"] = [line for line in action.what(server) if line]
    try:
        choices = action.choices(request, server_ref, server) if action.choices else {}
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        return render(request, "web/servers/confirm.html", context)
    options = {
        "hostname": server.hostname or str(server.id),
        "confirm": action.confirm,
        "choices": choices,
    }
    status = 200
    if request.method == "POST":
        form = action.form(request.POST, **options)
        if form.is_valid():
            try:
                return _start(request, action, server_ref, form, grant)
            except pipeline.Pending as held:  # a guardrail holds it for approval: follow it there
                messages.info(request, held.message)
                return redirect(held.location)
            except Refused as exc:
                return render_denied(request, exc)
            except NotFoundError as exc:
                raise Http404(exc.message) from exc
            except InvalidInput as exc:
                field_errors(form, exc)
            except PanelError as exc:
                form.add_error(None, error_text(exc))
        status = 422
        data = request.POST
    else:
        initial = {k: v for k, v in action.initial(request).items() if v}
        bound = {
            k: v
            for k, v in request.GET.items()
            if k in action.form.base_fields and k != "confirm_hostname"
        }
        form = action.form(initial={**initial, **bound}, **options)
        data = request.GET
    if action.cost is not None:
        try:
            context["cost"] = action.cost(request, server_ref, data)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except PanelError as exc:
            context["cost_problem"] = exc.message
    context["form"] = form
    return render(request, "web/servers/confirm.html", context, status=status)


@reaches("servers_reinstall", "servers_get", "server_images_list", "ssh_keys_list")
@team_permission_required("servers_reinstall", writes=False)
def server_reinstall(request: HttpRequest, ref: str) -> HttpResponse:
    """Reinstall: the confirmation page (GET) and the confirmation (POST)."""
    return confirm_page(request, ref, BY_SLUG["reinstall"])


def _action_view(action: ServerAction) -> Callable[..., HttpResponse]:
    """The view of an action not yet converted to `panel.actions` (see docs/architecture.md)."""

    @reaches(action.operation_id, "servers_get", *action.reads)
    @team_permission_required(action.operation_id)
    def view(request: HttpRequest, ref: str) -> HttpResponse:
        return confirm_page(request, ref, action)

    view.__name__ = view.__qualname__ = f"server_{action.slug.replace('-', '_')}"
    view.__doc__ = f"{action.title}: the confirmation page (GET) and the confirmation (POST)."
    return view


VIEWS: dict[str, Callable[..., HttpResponse]] = {
    action.slug: _action_view(action) for action in ACTIONS if action.slug not in CONVERTED
}
