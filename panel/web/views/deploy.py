"""The deploy wizard: account, plan, what to install, addons and promo code, then the cost and go.

Why it is built this way:
- One URL, steps chosen by the query string. Every step's form is a GET form carrying the other
  steps' choices in hidden fields, so Back and Next keep everything and no JavaScript is needed;
  the earlier steps are validated again before a later one is shown, and the first invalid step
  is shown again (422) with its errors next to its fields.
- VPSBG has no calculate endpoint for a new server: the summary prices the order from VPSBG's own
  price lists (the plan's monthly price, `plans_addons`, the floating-IP plans for extra addresses)
  and the promo code checked with `plans_promo_codes`. The order VPSBG creates is the final word.
- One order may deploy one to ten servers with the same choices (`servers_deploy` takes a list of
  names): the setup step takes one hostname per line, the summary multiplies the per-server cost
  by their number, and the confirmation asks for the hostname (one server) or the number of servers.
- An ISO install may mount a second ISO (`secondary_iso_id`), chosen from the account's ISOs.
- Confirming (POST) runs the `servers_deploy` action (`panel.actions.deploy`) through the actions
  pipeline, which asks the role once and whose input type checks the whole order; it starts the
  `deploy` operation (order, pay, wait until active) and sends the member to this area's progress
  page, which follows it and links to the new servers at the end. The steps' forms take their
  bounds from the same declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseStopPolling

from panel.accounts.decorators import render_denied, team_permission_required
from panel.actions import pipeline
from panel.actions.deploy import DEPLOY
from panel.actions.pipeline import Refused
from panel.core.errors import InvalidInput, NotFoundError, PanelError
from panel.services import billing, library, network, servers
from panel.services.registry import reaches

from .. import deploy_forms as f
from ..common import actor_for, problem_from, team_accounts
from ..htmx import render_page_or_fragment

STEP_TITLES = {
    "account": "Account",
    "plan": "Plan",
    "setup": "Server",
    "extras": "Addons and promo code",
    "summary": "Summary and cost",
}
SOURCE_FIELDS = {
    "image": "image_id",
    "snapshot": "snapshot_id",
    "backup": "backup_id",
    "iso": "primary_iso_id",
}
# Where an error of the `deploy` kind's parameters is shown (its step's field names).
PARAM_FIELDS = {
    "name": "hostname",
    **{v: "source" for v in SOURCE_FIELDS.values()},
    "secondary_iso_id": "secondary_iso",
}
DEPLOY_READS = (
    "servers_list_plans", "server_images_list", "snapshots_list", "backups_list", "isos_list",
    "ssh_keys_list", "plans_addons", "plans_promo_codes", "floating_ips_plans", "balance_get",
)  # fmt: skip
WIZARD_FIELDS = tuple(name for names in f.STEP_FIELDS.values() for name in names)


# -- the cost -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    label: str
    monthly: float | None
    monthly_with_vat: float | None
    quantity: int = 1


@dataclass
class Quote:
    """The order's price from VPSBG's price lists, for `months` months."""

    months: int
    lines: list[Line] = field(default_factory=list)
    promo: Any = None
    servers: int = 1  # every line is for each server of the order

    def _sum(self, attr: str) -> float | None:
        values = [getattr(line, attr) for line in self.lines]
        if any(v is None for v in values):
            return None
        return sum(float(v) * line.quantity for v, line in zip(values, self.lines, strict=True))

    @property
    def monthly(self) -> float | None:
        return self._sum("monthly")

    @property
    def monthly_with_vat(self) -> float | None:
        return self._sum("monthly_with_vat")

    @property
    def per_server(self) -> float | None:
        monthly = self.monthly
        return round(monthly * self.months, 2) if monthly is not None else None

    @property
    def per_server_with_vat(self) -> float | None:
        monthly = self.monthly_with_vat
        return round(monthly * self.months, 2) if monthly is not None else None

    @property
    def total(self) -> float | None:
        """The whole order: VPSBG bills every server's lines separately, so per server times servers."""
        each = self.per_server
        return round(each * self.servers, 2) if each is not None else None

    @property
    def total_with_vat(self) -> float | None:
        each = self.per_server_with_vat
        return round(each * self.servers, 2) if each is not None else None


def _price(value: Any, discount: float = 0.0) -> float | None:
    """A monthly price after the discount, unrounded: only totals are rounded (as VPSBG's order)."""
    return float(value) * (1 - discount) if value is not None else None


def _line(label: str, offer: Any, quantity: int) -> Line:
    """A line priced by a VPSBG offer (anything with `price` and `price_with_vat`; None: unpriced)."""
    return Line(
        label, _price(getattr(offer, "price", None)), _price(getattr(offer, "price_with_vat", None)), quantity
    )


# -- reading what VPSBG offers ----------------------------------------------------------------------
class Wizard:
    """The wizard's state for one request: the raw choices, what VPSBG offers, the cleaned steps."""

    def __init__(self, request: HttpRequest, data: QueryDict, accounts: dict[str, str]) -> None:
        self.request = request
        self.data = data
        self.accounts = accounts
        self.actor = actor_for(request)
        self.cleaned: dict[str, Any] = {}
        self.steps = (("account",) if len(accounts) > 1 else ()) + ("plan", "setup", "extras", "summary")

    # The account: chosen on the first step, or the team's only one.
    @property
    def account(self) -> str:
        if "account" in self.cleaned:
            return str(self.cleaned["account"])
        if len(self.accounts) == 1:
            return next(iter(self.accounts))
        value = (self.data.get("account") or "").strip()
        return value if value in self.accounts else min(self.accounts, key=lambda a: (self.accounts[a], a))

    @cached_property
    def plans(self) -> list[Any]:
        return list(servers.servers_list_plans(actor=self.actor, account=self.account))

    @property
    def plan(self) -> Any:
        return next(p for p in self.plans if p.name == self.cleaned["plan"])

    @cached_property
    def images(self) -> list[Any]:
        found = library.server_images_list(actor=self.actor, account=self.account)
        return sorted((i for i in found if i.id is not None), key=lambda i: (bool(i.eol), i.name or ""))

    @cached_property
    def snapshots(self) -> list[Any]:
        return [s for s in library.snapshots_list(actor=self.actor, account=self.account) if s.id is not None]

    @cached_property
    def backups(self) -> list[Any]:
        return [b for b in library.backups_list(actor=self.actor, account=self.account) if b.id is not None]

    @cached_property
    def isos(self) -> list[Any]:
        return [i for i in library.isos_list(actor=self.actor, account=self.account) if i.id is not None]

    @cached_property
    def keys(self) -> list[Any]:
        return [k for k in library.ssh_keys_list(actor=self.actor, account=self.account) if k.id is not None]

    @cached_property
    def addons(self) -> dict[str, Any]:
        found = library.plans_addons(actor=self.actor, plan_id=self.plan.id, account=self.account)
        return {a.key: a for a in found if a.key}

    @cached_property
    def ip_prices(self) -> dict[str, Any]:
        """Extra addresses are priced like floating IPs; without that list they are just unpriced."""
        try:
            found = network.floating_ips_plans(actor=self.actor, account=self.account)
        except PanelError:
            return {}
        return {p.name: p for p in found if p.name}

    def balance(self) -> Any:
        """The account's balance (the order is paid from it); None when it cannot be read now."""
        try:
            return billing.balance_get(actor=self.actor, account=self.account)
        except PanelError:
            return None

    def promo_check(self) -> f.PromoCheck:
        cycle = int(self.cleaned.get("billing_cycle") or 1)
        try:
            codes = library.plans_promo_codes(actor=self.actor, plan_id=self.plan.id, account=self.account)
        except PanelError as exc:
            return f.PromoCheck(None, exc.message, cycle)
        return f.PromoCheck(list(codes), "", cycle)

    # What the chosen source is.
    def source_label(self) -> str:
        kind, ident = self.cleaned["source"]
        return dict(self._sources_flat()).get(f"{kind}:{ident}", f"{kind} {ident}")

    def windows(self) -> bool | None:
        """True/False for an image; None when unknown (snapshot, backup, ISO)."""
        kind, ident = self.cleaned.get("source") or ("", 0)
        if kind != "image":
            return None
        image = next((i for i in self.images if i.id == ident), None)
        return bool(image and image.group and image.group.key == "windows")

    def iso_label(self, iso_id: int) -> str:
        iso = next((i for i in self.isos if i.id == iso_id), None)
        return (iso.name if iso else None) or f"ISO {iso_id}"

    def source_choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        groups = [
            (
                "Images",
                [(f"image:{i.id}", f"{i.name}{' (end of life)' if i.eol else ''}") for i in self.images],
            ),
            ("Snapshots", [(f"snapshot:{s.id}", _snapshot_label(s)) for s in self.snapshots]),
            ("Backups", [(f"backup:{b.id}", _backup_label(b)) for b in self.backups]),
            (
                "ISOs (install by hand from the console)",
                [(f"iso:{i.id}", i.name or f"ISO {i.id}") for i in self.isos],
            ),
        ]
        return [(name, options) for name, options in groups if options]

    def _sources_flat(self) -> list[tuple[str, str]]:
        return [option for _, options in self.source_choices() for option in options]

    # The forms.
    def form(self, step: str, *, bound: bool) -> Any:
        args: tuple[Any, ...] = (self.data,) if bound else ()
        initial = {} if bound else self.initial(step)
        if step == "account":
            return f.AccountStep(*args, initial=initial, accounts=self.accounts)
        if step == "plan":
            return f.PlanStep(*args, initial=initial, plans=self.plans)
        if step == "setup":
            return f.SetupStep(
                *args,
                initial=initial,
                sources=self.source_choices(),
                isos=[(i.id, i.name or f"ISO {i.id}") for i in self.isos],
                keys=[(k.id, k.name or f"Key {k.id}") for k in self.keys],
                minimum_cycle=self.plan.minimum_billing_cycle or 1,
            )
        if step == "extras":
            return f.ExtrasStep(
                *args,
                initial=initial,
                addons=self.addons,
                ip_prices=self.ip_prices,
                promo=self.promo_check() if bound else f.PromoCheck([], "", 1),
                windows=self.windows(),
            )
        raise ValueError(step)

    def initial(self, step: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name in f.STEP_FIELDS.get(step, ()):
            if name in self.data:
                found[name] = self.data.getlist(name) if name in f.MULTI_VALUED else self.data.get(name)
        return found

    def carry(self, step: str) -> list[tuple[str, str]]:
        """The raw choices of the other steps, as (name, value) hidden fields."""
        own = set(f.STEP_FIELDS.get(step, ()))
        return [
            (name, value) for name in WIZARD_FIELDS if name not in own for value in self.data.getlist(name)
        ]

    def query(self) -> str:
        return urlencode(self.carry("summary"))

    # The cost of what was chosen.
    def quote(self, promo: Any) -> Quote:
        plan, data = self.plan, self.cleaned
        discount = (float(promo.percentage or 0) / 100) if promo is not None else 0.0
        plan_label = f"Plan {plan.name}" + (f" (−{promo.percentage}% with {promo.code})" if promo else "")
        quote = Quote(months=data["billing_cycle"], promo=promo, servers=len(data["hostname"]))
        quote.lines.append(
            Line(plan_label, _price(plan.price, discount), _price(plan.price_with_vat, discount))
        )
        chosen = [("backups", "Automatic backups", 1 if data.get("backups") else 0)]
        chosen += [(data[name], f"{data[name]}", 1) for name in ("cpanel", "bandwidth") if data.get(name)]
        if self.windows():
            chosen.append(("windows-server-license", "Windows Server licence (with Windows images)", 1))
        chosen += [
            ("microsoft-rds-sal", "Microsoft RDS SAL", data.get("microsoft_rds_sal") or 0),
            ("microsoft-office-sal", "Microsoft Office SAL", data.get("microsoft_office_sal") or 0),
        ]
        for key, label, quantity in chosen:
            if quantity:
                quote.lines.append(_line(label, self.addons.get(key), quantity))
        for name, plan_name, label in (
            ("extra_ipv4", "floating-ipv4", "Extra IPv4 addresses"),
            ("extra_ipv4_ddos", "floating-ipv4-ddos", "Extra IPv4 addresses with DDoS protection"),
            ("extra_ipv6", "floating-ipv6", "Extra IPv6 addresses"),
        ):
            if data.get(name):
                quote.lines.append(_line(label, self.ip_prices.get(plan_name), data[name]))
        return quote

    def params(self, confirm: dict[str, Any]) -> dict[str, Any]:
        """The `deploy` operation's parameters (the names of `servers_deploy`)."""
        data = self.cleaned
        kind, ident = data["source"]
        names: list[str] = data["hostname"]
        params: dict[str, Any] = {
            "account": self.account,
            "name": names[0] if len(names) == 1 else names,
            "plan": data["plan"],
            "billing_cycle": data["billing_cycle"],
            SOURCE_FIELDS[kind]: ident,
            "secondary_iso_id": data.get("secondary_iso") if kind == "iso" else None,
            "ssh_keys": list(data.get("ssh_keys") or []),
            "backups": bool(data.get("backups")),
            "cpanel": data.get("cpanel") or None,
            "bandwidth": data.get("bandwidth") or None,
            "promo_code": data.get("promo_code") or None,
        }
        for name in (
            "extra_ipv4",
            "extra_ipv4_ddos",
            "extra_ipv6",
            "microsoft_rds_sal",
            "microsoft_office_sal",
        ):
            params[name] = data.get(name) or None
        if confirm.get("password"):
            params["password"] = confirm["password"]
        return params


def _snapshot_label(snapshot: Any) -> str:
    when = str(snapshot.created_at or "")[:10]
    return f"Snapshot {snapshot.name or snapshot.id}" + (f" ({when})" if when else "")


def _backup_label(backup: Any) -> str:
    when = f"{backup.created_at:%Y-%m-%d %H:%M}" if backup.created_at else ""
    server = backup.server_hostname or (f"server {backup.server_id}" if backup.server_id else "")
    return f"Backup {backup.id}" + (f" of {server}" if server else "") + (f" ({when})" if when else "")


# -- rendering ------------------------------------------------------------------------------------
def _render(wizard: Wizard, step: str, *, form: Any = None, status: int = 200, **extra: Any) -> HttpResponse:
    index = wizard.steps.index(step)
    context: dict[str, Any] = {
        "step": step,
        "title": STEP_TITLES[step],
        "steps": [(name, STEP_TITLES[name], i < index) for i, name in enumerate(wizard.steps)],
        "number": index + 1,
        "previous": wizard.steps[index - 1] if index else None,
        "next": wizard.steps[index + 1] if index + 1 < len(wizard.steps) else None,
        "next_title": STEP_TITLES[wizard.steps[index + 1]] if index + 1 < len(wizard.steps) else "",
        "form": form,
        "carry": wizard.carry(step),
        "query": wizard.query(),
        "accounts": wizard.accounts,
        "account": wizard.account,
        "account_label": wizard.accounts.get(wizard.account, wizard.account),
        "chosen": wizard.cleaned,
        **extra,
    }
    if step == "plan":
        context["plans"] = wizard.plans
        context["chosen_plan"] = form["plan"].value() if form is not None else ""
    if step != "summary":
        context["running_cost"] = _running_cost(wizard)
    return render(wizard.request, "web/deploy/wizard.html", context, status=status)


def _running_cost(wizard: Wizard) -> Quote | None:
    """The cost of the steps done so far, shown beside the later steps so the price is never a
    surprise at the end: the plan alone until the server step (hostnames, months) is done."""
    if "plan" not in wizard.cleaned:
        return None
    if "billing_cycle" not in wizard.cleaned:
        plan = wizard.plan
        quote = Quote(months=1)
        quote.lines.append(Line(f"Plan {plan.name}", _price(plan.price), _price(plan.price_with_vat)))
        return quote
    return wizard.quote(wizard.cleaned.get("promo"))


def _summary(
    wizard: Wizard, promo: Any, confirm: f.ConfirmStep | None = None, *, status: int = 200
) -> HttpResponse:
    data = wizard.cleaned
    keys = {k.id: k.name or f"Key {k.id}" for k in wizard.keys}
    quote = wizard.quote(promo)
    balance = wizard.balance()
    short = (
        balance is not None
        and balance.balance is not None
        and quote.total_with_vat is not None
        and float(balance.balance) < quote.total_with_vat
    )
    return _render(
        wizard,
        "summary",
        form=confirm or f.ConfirmStep(hostnames=data["hostname"]),
        status=status,
        plan=wizard.plan,
        source=wizard.source_label(),
        secondary_iso=wizard.iso_label(data["secondary_iso"]) if data.get("secondary_iso") else "",
        hostnames=data["hostname"],
        key_names=[keys.get(k, f"Key {k}") for k in data.get("ssh_keys") or []],
        quote=quote,
        balance=balance,
        balance_short=short,
        chosen=data,
    )


def _problem(request: HttpRequest, exc: PanelError) -> HttpResponse:
    """Upstream trouble while reading what VPSBG offers: the message and a retry, never a 500."""
    return render(
        request, "web/deploy/wizard.html", {"problem": problem_from(exc), "title": "Deploy a server"}
    )


def _apply_start_errors(form: f.ConfirmStep, exc: InvalidInput) -> None:
    """The kind's (or VPSBG's) field errors: on the confirmation's own fields when they match,
    else above the form, naming the field of the earlier step."""
    for name, errors in exc.fields.items():
        target = _param_label(name)
        for error in errors:
            if target in form.fields:
                form.add_error(target, error)
            else:
                form.add_error(None, f"{target.replace('_', ' ').capitalize()}: {error}")
    if not exc.fields:
        form.add_error(None, exc.message)


def _param_label(name: str) -> str:
    """The wizard's name for a parameter VPSBG (or the kind) refused; `name.2` is the third hostname."""
    base, _, index = name.partition(".")
    if base == "name" and index.isdigit():
        return f"hostname on line {int(index) + 1}"
    return PARAM_FIELDS.get(name, name)


def _start(request: HttpRequest, wizard: Wizard, confirm: dict[str, Any], grant: pipeline.Grant) -> Any:
    outcome = pipeline.submit(
        DEPLOY,
        actor=actor_for(request),
        target=wizard.account,
        data=wizard.params(confirm),
        reason=confirm.get("reason") or "",
        idempotency_key=confirm.get("request_key") or "",
        grant=grant,
    )
    return outcome.operation


def _target_step(wizard: Wizard) -> str:
    data = wizard.data
    for key in ("goto", "step"):
        value = data.get(key)
        if value in wizard.steps:
            return str(value)
    return wizard.steps[0]


def _validate_until(wizard: Wizard, target: str) -> HttpResponse | None:
    """Validate every step before `target`; the first invalid one is shown again with its errors."""
    for step in wizard.steps[: wizard.steps.index(target)]:
        form = wizard.form(step, bound=True)
        if not form.is_valid():
            return _render(wizard, step, form=form, status=422)
        wizard.cleaned.update(form.cleaned_data)
        if step == "extras":
            wizard.cleaned["promo"] = form.promo_applied
    return None


@reaches("servers_deploy", *DEPLOY_READS)
@team_permission_required("servers_deploy", writes=False)
@require_http_methods(["GET", "POST"])
def deploy(request: HttpRequest) -> HttpResponse:
    """The wizard (GET, one step at a time) and the confirmation that starts the deploy (POST)."""
    accounts = team_accounts(request)
    if not accounts:
        return render(request, "web/deploy/wizard.html", {"no_accounts": True, "title": "Deploy a server"})
    if request.method == "GET" and request.membership.is_server_limited:  # type: ignore[attr-defined]
        # Deploying is account-wide: say so now rather than after five steps (the service refuses too).
        context = {"limited": True, "title": "Deploy a server"}
        return render(request, "web/deploy/wizard.html", context, status=403)
    data = request.POST if request.method == "POST" else request.GET
    wizard = Wizard(request, data, accounts)
    target = "summary" if request.method == "POST" else _target_step(wizard)
    grant = None
    if request.method == "POST":  # the pipeline asks the role, before anything is validated
        try:
            grant = pipeline.authorise(DEPLOY, actor_for(request), wizard.account)
        except Refused as exc:
            return render_denied(request, exc)
    try:
        refused = _validate_until(wizard, target)
        if refused is not None:
            return refused
        if target == "summary":
            return _confirm(request, wizard, grant)
        return _render(wizard, target, form=wizard.form(target, bound=False))
    except PanelError as exc:
        return _problem(request, exc)


def _confirm(request: HttpRequest, wizard: Wizard, grant: pipeline.Grant | None) -> HttpResponse:
    promo = wizard.cleaned.get("promo")
    if request.method != "POST":
        return _summary(wizard, promo)
    names: list[str] = wizard.cleaned["hostname"]
    confirm = f.ConfirmStep(request.POST, hostnames=names)
    if confirm.is_valid() and grant is not None:
        try:
            operation = _start(request, wizard, confirm.cleaned_data, grant)
        except Refused as exc:  # a policy
            return render_denied(request, exc)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except InvalidInput as exc:
            _apply_start_errors(confirm, exc)
        except PanelError as exc:
            confirm.add_error(None, exc.message)
            return _summary(wizard, promo, confirm, status=exc.status if exc.status < 500 else 422)
        else:
            what = names[0] if len(names) == 1 else f"{len(names)} servers ({', '.join(names)})"
            messages.success(request, f"Deploying {what}: this page follows it to the end.")
            return redirect(reverse("web:deploy_progress", kwargs={"pk": operation.pk}))
    return _summary(wizard, promo, confirm, status=422)


# -- progress -------------------------------------------------------------------------------------
def _deploy_operation(request: HttpRequest, pk: int) -> Any:
    """The team's deploy operation `pk` (404 for another team's, or for a member limited to servers,
    who sees only operations on their servers)."""
    from panel.operations.models import Operation

    if request.membership.is_server_limited:  # type: ignore[attr-defined]
        raise Http404("No such operation.")
    op = Operation.objects.filter(team=request.team, kind="deploy", pk=pk).first()  # type: ignore[attr-defined]
    if op is None:
        raise Http404("No such operation.")
    return op


def _new_servers(op: Any) -> list[dict[str, str]]:
    data = op.data if isinstance(op.data, dict) else {}
    names: dict[str, Any] = data["server_names"] if isinstance(data.get("server_names"), dict) else {}
    refs = [ref for ref in data.get("servers") or [] if isinstance(ref, str)]
    return [{"ref": ref, "id": ref.rpartition(":")[2], "name": str(names.get(ref) or "")} for ref in refs]


@reaches()
@team_permission_required("operations.view")
@require_GET
def deploy_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """A deploy's live progress (htmx polls the fragment until it ends), then the new server."""
    op = _deploy_operation(request, pk)
    context = {"op": op, "polling": False, "follow": not op.is_ended, "new_servers": _new_servers(op)}
    response = render_page_or_fragment(
        request, "web/deploy/progress.html", "web/deploy/_progress.html", context
    )
    if op.is_ended and getattr(request, "htmx", False):
        stop = HttpResponseStopPolling(response.content)
        stop["Content-Type"] = response["Content-Type"]
        stop["Vary"] = response.get("Vary", "HX-Request")
        return stop
    return response


VIEWS: dict[str, Callable[..., HttpResponse]] = {"deploy": deploy, "deploy_progress": deploy_progress}
