"""Server actions behind a confirmation page: what will happen, what it costs, then confirm.

Each action has its own view function (`server_reinstall`, `server_scale`, ...) and one row of
`ACTIONS` with what its page says and offers; one helper, `confirm_page`, serves them all (GET
shows the page, and the cost of the choices made with "Show cost"; POST confirms). An action
declared in `panel.actions` (`row.declared`) is authorised by its pipeline before anything is read
or validated, its form is derived from its input type, and it runs through the pipeline: a long
one starts an operation (the member follows it on its progress page), a quick one is one VPSBG
call. Destructive or paying actions ask for the server's hostname typed in full; costs come from
VPSBG's calculate endpoints before anything is confirmed. Rows not declared yet (floating IPs: the
network area) start their operation or call their service directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from pydantic import ValidationError

from panel.accounts.decorators import render_denied, team_permission_required
from panel.actions import backups, pipeline
from panel.actions import server_billing as billing
from panel.actions import servers as declared
from panel.actions import snapshots as snapshot_declarations
from panel.actions.base import Action, Input
from panel.actions.fields import specs
from panel.actions.pipeline import Refused
from panel.actions.server_billing import AddonPurchaseInput, AddonsScaleInput, RenewInput, ScaleInput
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
In = TypeVar("In", bound=Input)
RENEW_FOR: list[tuple[Any, str]] = list(f.BILLING_CYCLES)


@dataclass(frozen=True)
class Cost:
    label: str
    amount: float | str | None  # some estimates carry their amounts as strings
    amount_with_vat: float | str | None
    note: str = ""


@dataclass(frozen=True)
class ServerAction:
    """What one action's confirmation page says and offers; `declared`: how it runs."""

    slug: str
    url_name: str  # the literal URL name of its view (`panel/web/urls.py`)
    title: str
    form: type[f.ActionForm]
    what: Callable[[Any], list[str]]
    declared: Action | None = None  # declared in `panel.actions`: run through its pipeline
    operation_id: str = ""  # not declared yet: the operationId its view reaches
    kind: str | None = None  # not declared yet: the operation kind, or None for `perform`
    confirm: bool = True  # ask for the hostname typed in full
    choices: Callable[[HttpRequest, ServerRef, Any], Choices] | None = None
    fixed: Callable[[ServerRef], dict[str, Any]] | None = None  # input the page gives, not asks
    target: Callable[[ServerRef, QueryDict], str] | None = None  # when not the server itself
    params: Callable[[ServerRef, dict[str, Any]], dict[str, Any]] | None = None
    perform: Callable[[HttpRequest, ServerRef, dict[str, Any]], str] | None = None
    cost: Callable[[HttpRequest, ServerRef, QueryDict], Cost | None] | None = None
    initial: Callable[[HttpRequest], dict[str, Any]] = field(default=lambda request: {})
    done: Callable[[Any], str] | None = None  # the flash after a quick action, from its input
    destructive: bool = True

    @property
    def name(self) -> str:
        """The operationId: the declared action's name, or the row's own."""
        return self.declared.name if self.declared is not None else self.operation_id


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


def _chosen(model: type[In], data: QueryDict, **fixed: Any) -> In | None:
    """The choices made so far (the "Show cost" query), if the action's input type accepts them."""
    names = {spec.name: spec for spec in specs(model)}
    values: dict[str, Any] = {k: v for k, v in data.items() if k in names and v != ""}
    for name, spec in names.items():
        if spec.shape == "bool":
            values[name] = data.get(name) in ("on", "true", "1")
        elif spec.shape == "choice" and name in values:  # as the form's choice field coerces it
            by_text = {str(choice): choice for choice in spec.choices}
            values[name] = by_text.get(values[name], values[name])
    try:
        return model.model_validate({**values, **fixed})
    except ValidationError:
        return None


def _renew_cost(request: HttpRequest, ref: ServerRef, data: QueryDict) -> Cost | None:
    chosen = _chosen(RenewInput, data, servers=[str(ref)])
    if chosen is None:
        return None
    cycle = chosen.billing_cycle
    quote = servers.servers_calculate_renew(actor=actor_for(request), servers=[ref], billing_cycle=cycle)
    due = quote.due_today_amount_with_vat
    return Cost(
        f"Renewal for {cycle} month{'s' if cycle > 1 else ''}",
        quote.amount,
        quote.amount_with_vat,
        f"Due today: {due:.2f} (VAT included), paid from the account's balance." if due is not None else "",
    )


def _scale_cost(request: HttpRequest, ref: ServerRef, data: QueryDict) -> Cost | None:
    chosen = _chosen(ScaleInput, data)
    if chosen is None:
        return None
    plan = chosen.plan
    quote = servers.servers_scale_calculate(
        actor=actor_for(request), server=ref, plan=plan, scale_disk=chosen.scale_disk
    )
    note = f"Expected downtime: {quote.estimated_downtime}." if quote.estimated_downtime else ""
    return Cost(f"Scale to {plan}", quote.amount, quote.amount_with_vat, note)


def _offers(request: HttpRequest, ref: ServerRef, server: Any) -> Choices:
    """The cPanel tiers and bandwidth options VPSBG offers this server, with their prices."""
    offers = servers.servers_addons_list(actor=actor_for(request), server=ref)
    found: Choices = {"cpanel": [("", "—")], "bandwidth": [("", "—")]}
    for o in offers:
        field = "cpanel" if (o.key or "").startswith("cpanel-") else "bandwidth"
        if o.key and o.key in _offer_keys(field):
            priced = o.price_with_vat is not None and o.price_until_expiry_with_vat is not None
            label = f"{o.key} — {o.price_with_vat:.2f} a month, {o.price_until_expiry_with_vat:.2f} due now"
            found[field].append((o.key, label if priced else o.key))
    return found


def _offer_keys(field: str) -> tuple[Any, ...]:
    spec = next(s for s in specs(AddonPurchaseInput) if s.name == field)
    return spec.choices


def _offer_cost(request: HttpRequest, ref: ServerRef, data: QueryDict) -> Cost | None:
    chosen = _chosen(AddonPurchaseInput, data)
    key = chosen.offer_key() if chosen is not None else ""
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
    chosen = _chosen(AddonsScaleInput, data)
    if chosen is None:
        return None
    quote = billing.addons_scale_quote(actor_for(request), str(ref), chosen)
    return Cost("Change of addons", quote.amount, quote.amount_with_vat)


def _addons_of(server: Any) -> Choices:
    return {
        "server_addon_id": [
            (a.id, f"{a.name}{f' ×{a.quantity}' if a.quantity and a.quantity > 1 else ''} ({a.status})")
            for a in server.addons or []
            if a.id is not None
        ]
    }


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


def _backup(ref: ServerRef, posted: QueryDict) -> str:
    """The backup chosen on the page (`"backup:<id>"`), as a reference in the server's account."""
    return f"{ref.account_id}:{posted.get('target', '').partition(':')[2][:20]}"


def _copy_target(ref: ServerRef, data: dict[str, Any]) -> dict[str, Any]:
    kind, ident = data["target"]
    return {kind: f"{ref.account_id}:{ident}"}


def _delete_kind(request: HttpRequest) -> dict[str, Any]:
    return {"target": request.GET.get("target", "")}


def _picked_snapshot(request: HttpRequest) -> dict[str, Any]:
    """`?target=snapshot:116` (the snapshots tab's link) chooses snapshot 116."""
    kind, _, ident = request.GET.get("target", "").partition(":")
    return {"target": ident} if kind == "snapshot" else {}


def _source(request: HttpRequest) -> dict[str, Any]:
    """`?source=snapshot:116` or `?source=backup:7` (the snapshots tab's links) chooses it."""
    kind, _, ident = request.GET.get("source", "").partition(":")
    return {f"{kind}_id": ident} if kind in ("snapshot", "backup") else {}


def _restore_sources(request: HttpRequest, ref: ServerRef, server: Any) -> Choices:
    actor = actor_for(request)
    snapshots = library.snapshots_list(actor=actor, server=ref)
    backups = library.backups_list(actor=actor, server=ref)
    return {
        "snapshot_id": [("", "—")]
        + [
            (s.id, f"Snapshot {s.name or s.id} ({when(s.created_at) or 'date unknown'})")
            for s in snapshots
            if s.id is not None
        ],
        "backup_id": [("", "—")]
        + [
            (b.id, f"Backup of {b.created_at:%Y-%m-%d %H:%M}" if b.created_at else f"Backup {b.id}")
            for b in backups
            if b.id is not None
        ],
    }


def _server_snapshots(request: HttpRequest, ref: ServerRef, server: Any) -> Choices:
    snapshots = library.snapshots_list(actor=actor_for(request), server=ref)
    return {
        "target": [
            (s.id, f"Snapshot {s.name or s.id} ({when(s.created_at) or 'date unknown'})")
            for s in snapshots
            if s.id is not None
        ]
    }


# -- the actions -----------------------------------------------------------------------------------
ACTIONS: tuple[ServerAction, ...] = (
    ServerAction(
        "reinstall",
        "web:server_reinstall",
        "Reinstall",
        f.ReinstallForm,
        lambda s: [f"Everything on the disk of {s.hostname} is erased.", "The chosen image is installed."],
        declared=declared.REINSTALL,
        choices=_images,
    ),
    ServerAction(
        "restore",
        "web:server_restore",
        "Restore",
        f.RestoreForm,
        lambda s: [
            f"The disk of {s.hostname} is replaced by the chosen copy.",
            "Changes made since are lost.",
        ],
        choices=_restore_sources,
        initial=_source,
        declared=snapshot_declarations.RESTORE,
    ),
    ServerAction(
        "snapshot",
        "web:server_snapshot",
        "Take a snapshot",
        f.SnapshotCreateForm,
        lambda s: [f"A snapshot of {s.hostname}'s disk is taken; the server may pause briefly."],
        confirm=False,
        destructive=False,
        declared=snapshot_declarations.SNAPSHOT_CREATE,
    ),
    ServerAction(
        "delete-snapshot",
        "web:server_delete_snapshot",
        "Delete a snapshot",
        f.SnapshotPickForm,
        lambda s: ["The chosen snapshot is deleted for good."],
        choices=_server_snapshots,
        initial=_picked_snapshot,
        declared=snapshot_declarations.SNAPSHOT_DELETE,
        target=lambda ref, data: f"{ref.account_id}:{data['target']}",
    ),
    ServerAction(
        "delete-backup",
        "web:server_delete_backup",
        "Delete a backup",
        f.BackupDeleteForm,
        lambda s: ["The chosen backup is deleted for good."],
        declared=backups.BACKUP_DELETE,
        choices=lambda request, ref, server: {
            "target": [
                c for c in _copies(request, ref, server, "target")["target"] if c[0].startswith("backup:")
            ]
        },
        target=_backup,
        initial=_delete_kind,
    ),
    ServerAction(
        "rescue-on",
        "web:server_rescue_on",
        "Start rescue mode",
        f.RescueForm,
        lambda s: [
            f"{s.hostname} restarts into a rescue system; its own system does not run until you end it."
        ],
        declared=declared.RESCUE_ON,
    ),
    ServerAction(
        "rescue-off",
        "web:server_rescue_off",
        "End rescue mode",
        f.RescueForm,
        lambda s: [f"{s.hostname} restarts into its own system."],
        declared=declared.RESCUE_OFF,
        confirm=False,
        destructive=False,
    ),
    ServerAction(
        "password",
        "web:server_password",
        "Change the root password",
        f.PasswordForm,
        lambda s: [f"The root password of {s.hostname} is replaced.", "The server reboots to apply it."],
        declared=declared.CHANGE_PASSWORD,
    ),
    ServerAction(
        "primary-ip",
        "web:server_primary_ip",
        "Change the primary IP address",
        f.PrimaryIpForm,
        lambda s: [
            f"The chosen address becomes the primary address of {s.hostname}.",
            "The server restarts.",
        ],
        declared=declared.PRIMARY_IP,
        choices=_addresses,
    ),
    ServerAction(
        "renew",
        "web:server_renew",
        "Renew",
        f.RenewForm,
        lambda s: [
            f"An order renewing {s.hostname} is created and paid from the account's balance.",
            f"It expires on {s.expiry_at:%Y-%m-%d} now; the renewal extends that." if s.expiry_at else "",
        ],
        declared=billing.RENEW,
        choices=lambda request, ref, server: {"billing_cycle": RENEW_FOR},
        fixed=lambda ref: {"servers": [str(ref)]},
        target=lambda ref, posted: ref.account_id,
        cost=_renew_cost,
    ),
    ServerAction(
        "scale",
        "web:server_scale",
        "Scale to another plan",
        f.ScaleForm,
        lambda s: [
            f"{s.hostname} moves to the chosen plan; the difference is ordered and paid from the balance.",
            "The server restarts.",
        ],
        declared=billing.SCALE,
        choices=_plans,
        cost=_scale_cost,
    ),
    ServerAction(
        "buy-addon",
        "web:server_buy_addon",
        "Buy an addon",
        f.AddonPurchaseForm,
        lambda s: [
            f"The addon is added to {s.hostname} and paid from the account's balance until its expiry."
        ],
        declared=billing.ADDON_PURCHASE,
        choices=_offers,
        cost=_offer_cost,
        done=lambda data: f"Addon {data.offer_key() or 'licences'} ordered.",
    ),
    ServerAction(
        "scale-addons",
        "web:server_scale_addons",
        "Change licences",
        f.AddonScaleForm,
        lambda s: [
            f"The licences of {s.hostname} change; the difference is ordered and paid from the balance."
        ],
        declared=billing.ADDONS_SCALE,
        cost=_addon_scale_cost,
    ),
    ServerAction(
        "cancel-addon",
        "web:server_cancel_addon",
        "Cancel an addon",
        f.AddonCancelForm,
        lambda s: ["The chosen addon is not renewed and ends with the paid period (or now, if you choose)."],
        declared=billing.ADDON_CANCEL,
        choices=lambda request, ref, server: _addons_of(server),
    ),
    ServerAction(
        "undo-cancel-addon",
        "web:server_undo_cancel_addon",
        "Keep a cancelled addon",
        f.AddonUndoCancelForm,
        lambda s: ["The addon's cancellation is withdrawn; it renews with the server."],
        declared=billing.ADDON_UNDO_CANCEL,
        confirm=False,
        destructive=False,
        choices=lambda request, ref, server: _addons_of(server),
    ),
    ServerAction(
        "attach-floating-ip",
        "web:server_attach_floating_ip",
        "Attach a floating IP",
        f.FloatingIpForm,
        lambda s: [f"The floating IP is routed to {s.hostname}."],
        operation_id="floating_ips_attach",
        kind="floating_ip_attach",
        confirm=False,
        destructive=False,
        choices=lambda request, ref, server: _floating_ips(request, ref, server, attached=False),
        params=lambda ref, d: {"server": str(ref), "ids": [d["floating_ip"]]},
    ),
    ServerAction(
        "detach-floating-ip",
        "web:server_detach_floating_ip",
        "Detach a floating IP",
        f.FloatingIpForm,
        lambda s: [f"The floating IP stops reaching {s.hostname}; services using it there stop answering."],
        operation_id="floating_ips_detach",
        kind="floating_ip_detach",
        choices=lambda request, ref, server: _floating_ips(request, ref, server, attached=True),
        params=lambda ref, d: {"account": ref.account_id, "ids": [d["floating_ip"]]},
    ),
    ServerAction(
        "measured-boot",
        "web:server_measured_boot",
        "Measured boot",
        f.MeasuredBootForm,
        lambda s: [f"{s.hostname} boots the chosen Unified Kernel Image from its next start."],
        declared=declared.MEASURED_BOOT,
        choices=_boot_images,
    ),
    ServerAction(
        "cancel",
        "web:server_cancel",
        "Cancel the server",
        f.CancelForm,
        lambda s: [
            f"{s.hostname} is not renewed and is deleted with its data when its paid period ends"
            + (f" ({s.expiry_at:%Y-%m-%d})." if s.expiry_at else "."),
            "Until then you can withdraw the cancellation.",
        ],
        declared=billing.CANCEL,
    ),
    ServerAction(
        "undo-cancel",
        "web:server_undo_cancel",
        "Withdraw the cancellation",
        f.UndoCancelForm,
        lambda s: [f"{s.hostname} stays and renews as before."],
        declared=billing.UNDO_CANCEL,
        confirm=False,
        destructive=False,
    ),
)
BY_SLUG = {action.slug: action for action in ACTIONS}


# -- the page ---------------------------------------------------------------------------------------
def _target(action: ServerAction, ref: ServerRef, posted: QueryDict) -> str:
    return action.target(ref, posted) if action.target is not None else str(ref)


def _start(
    request: HttpRequest, action: ServerAction, ref: ServerRef, form: Any, grant: pipeline.Grant | None
) -> HttpResponse:
    data: dict[str, Any] = form.cleaned_data
    if action.declared is not None:
        outcome = pipeline.submit(
            action.declared,
            actor=actor_for(request),
            target=_target(action, ref, request.POST),
            data=form.input,
            reason=data.get("reason") or "",
            idempotency_key=data.get("request_key") or "",
            grant=grant,
        )
        operation = outcome.operation
        if operation is None:
            done = action.done(form.input) if action.done else action.declared.done_message
            messages.success(request, done)
            return redirect(tab_url(ref, ACTION_PLACES[action.slug][0]))  # where the undo is offered
    elif action.perform is not None:
        messages.success(request, action.perform(request, ref, data))
        return redirect(tab_url(ref, ACTION_PLACES[action.slug][0]))
    else:
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

    A declared action is authorised by the pipeline before anything is read or validated, so a
    refused member learns nothing from the page, and its role is checked once.
    """
    server_ref = _ref(ref)
    grant = None
    if request.method == "POST" and action.declared is not None and action.target is None:
        try:
            grant = pipeline.authorise(
                action.declared, actor_for(request), _target(action, server_ref, request.POST)
            )
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
    options: dict[str, Any] = {
        "hostname": server.hostname or str(server.id),
        "confirm": action.confirm,
        "choices": choices,
    }
    if action.fixed is not None:
        options["fixed"] = action.fixed(server_ref)
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
            k: v for k, v in request.GET.items() if k in action.form.base_fields and k != "confirm_hostname"
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


# -- one view per action (declared ones: the role is asked once, by the pipeline, on POST) ----------
@reaches("servers_reinstall", "servers_get", "server_images_list", "ssh_keys_list")
@team_permission_required("servers_reinstall", writes=False)
def server_reinstall(request: HttpRequest, ref: str) -> HttpResponse:
    """Reinstall: the confirmation page (GET) and the confirmation (POST)."""
    return confirm_page(request, ref, BY_SLUG["reinstall"])


@reaches("servers_restore", "servers_get", "snapshots_list", "backups_list")
@team_permission_required("servers_restore", writes=False)
def server_restore(request: HttpRequest, ref: str) -> HttpResponse:
    """Restore from a snapshot or a backup: the confirmation page (GET) and the confirmation (POST)."""
    return confirm_page(request, ref, BY_SLUG["restore"])


@reaches("servers_snapshots_create", "servers_get")
@team_permission_required("servers_snapshots_create", writes=False)
def server_snapshot(request: HttpRequest, ref: str) -> HttpResponse:
    """Take a snapshot: the page (GET) and the request (POST)."""
    return confirm_page(request, ref, BY_SLUG["snapshot"])


@reaches("snapshots_delete", "servers_get", "snapshots_list")
@team_permission_required("snapshots_delete")
def server_delete_snapshot(request: HttpRequest, ref: str) -> HttpResponse:
    """Delete one of the server's snapshots: the confirmation page (GET) and the confirmation (POST).

    The target (the snapshot) is known only once the form is valid, so the role is asked here for
    the POST too, before the form is read; the pipeline then authorises the chosen snapshot.
    """
    return confirm_page(request, ref, BY_SLUG["delete-snapshot"])




@reaches("backups_delete", "servers_get", "backups_list", "snapshots_list")
@team_permission_required("backups_delete", writes=False)
def server_delete_backup(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["delete-backup"])


@reaches("servers_rescue_enable", "servers_get")
@team_permission_required("servers_rescue_enable", writes=False)
def server_rescue_on(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["rescue-on"])


@reaches("servers_rescue_disable", "servers_get")
@team_permission_required("servers_rescue_disable", writes=False)
def server_rescue_off(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["rescue-off"])


@reaches("servers_change_password", "servers_get")
@team_permission_required("servers_change_password", writes=False)
def server_password(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["password"])


@reaches("servers_change_primary_ip", "servers_get")
@team_permission_required("servers_change_primary_ip", writes=False)
def server_primary_ip(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["primary-ip"])


@reaches("servers_renew", "servers_get", "servers_calculate_renew")
@team_permission_required("servers_renew", writes=False)
def server_renew(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["renew"])


@reaches("servers_scale", "servers_get", "servers_scale_list_plans", "servers_scale_calculate")
@team_permission_required("servers_scale", writes=False)
def server_scale(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["scale"])


@reaches("servers_addons_purchase", "servers_get", "servers_addons_list")
@team_permission_required("servers_addons_purchase", writes=False)
def server_buy_addon(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["buy-addon"])


@reaches("servers_addons_scale", "servers_get", "servers_addons_scale_calculate")
@team_permission_required("servers_addons_scale", writes=False)
def server_scale_addons(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["scale-addons"])


@reaches("servers_addons_cancel", "servers_get")
@team_permission_required("servers_addons_cancel", writes=False)
def server_cancel_addon(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["cancel-addon"])


@reaches("servers_addons_undo_cancel", "servers_get")
@team_permission_required("servers_addons_undo_cancel", writes=False)
def server_undo_cancel_addon(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["undo-cancel-addon"])


@reaches("floating_ips_attach", "servers_get", "floating_ips_list")
@team_permission_required("floating_ips_attach")
def server_attach_floating_ip(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["attach-floating-ip"])


@reaches("floating_ips_detach", "servers_get", "floating_ips_list")
@team_permission_required("floating_ips_detach")
def server_detach_floating_ip(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["detach-floating-ip"])


@reaches("servers_set_measured_boot", "servers_get", "measured_boot_images_list")
@team_permission_required("servers_set_measured_boot", writes=False)
def server_measured_boot(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["measured-boot"])


@reaches("servers_cancel", "servers_get")
@team_permission_required("servers_cancel", writes=False)
def server_cancel(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["cancel"])


@reaches("servers_undo_cancel", "servers_get")
@team_permission_required("servers_undo_cancel", writes=False)
def server_undo_cancel(request: HttpRequest, ref: str) -> HttpResponse:
    return confirm_page(request, ref, BY_SLUG["undo-cancel"])
