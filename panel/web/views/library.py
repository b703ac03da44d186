"""Library: what a VPSBG account keeps for its servers (SSH keys, ISOs, images, plans, boot images).

Everything here belongs to one VPSBG account, chosen with `?account=` (the team's only account by
default). Each section fails on its own: an upstream problem shows beside the others with a retry.
Writes are account-wide, so a member limited to some servers is refused by the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from panel.accounts.decorators import team_permission_required
from panel.actions import library as actions
from panel.actions.base import Action
from panel.core.errors import InvalidInput, NotFoundError, PanelError
from panel.core.sorting import SortOrder, sort_rows
from panel.services import library, servers
from panel.services.context import Ref
from panel.services.registry import reaches

from .. import action_runs
from ..common import (
    Problem,
    account_choice,
    actor_for,
    allowed_actions,
    chosen_account,
    field_errors,
    object_ref,
    problem_from,
    team_accounts,
)
from ..forms import DeleteForm, IsoAddForm, MeasuredBootUploadForm, SshKeyForm, SshKeyUpdateForm

LIBRARY_WRITES = (
    "ssh_keys_create", "ssh_keys_update", "ssh_keys_delete", "isos_add", "isos_delete",
    "measured_boot_images_upload", "measured_boot_images_delete",
)  # fmt: skip


KEY_SORTS = SortOrder(
    {"name": "name", "fingerprint": "fingerprint", "servers": lambda k: len(k.servers or ())},
    default="name",
    table="ssh-keys",
)
PLAN_SORTS = SortOrder(
    {"plan": "name", "vcpus": "vcpus", "memory": "memory", "disk": "disk", "price": "price_with_vat",
     "available": "available"},
    default="price", param="psort", table="plans",
)  # fmt: skip


def _library_url(account: str | None, anchor: str = "") -> str:
    query = f"?{urlencode({'account': account})}" if account else ""
    return f"{reverse('web:library')}{query}{'#' + anchor if anchor else ''}"


def _section(fetch: Callable[[], Any]) -> tuple[list[Any], Problem | None]:
    try:
        return list(fetch()), None
    except PanelError as exc:
        return [], problem_from(exc)


def _page(request: HttpRequest, *, forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    forms = forms or {}
    context: dict[str, Any] = {
        **account_choice(request),
        "may": allowed_actions(request, *LIBRARY_WRITES),
        "key_form": forms.get("key") or SshKeyForm(),
        "iso_form": forms.get("iso") or IsoAddForm(),
        "boot_form": forms.get("boot") or MeasuredBootUploadForm(),
    }
    account = context["account"]
    if account is not None:
        actor = actor_for(request)
        sections: dict[str, Callable[[], Any]] = {
            "keys": lambda: library.ssh_keys_list(actor=actor, account=account),
            "isos": lambda: library.isos_list(actor=actor, account=account),
            "images": lambda: library.server_images_list(actor=actor, account=account),
            "plans": lambda: servers.servers_list_plans(actor=actor, account=account),
            "boot_images": lambda: library.measured_boot_images_list(actor=actor, account=account),
        }
        for name, fetch in sections.items():
            context[name], context[f"{name}_problem"] = _section(fetch)
        context["keys_sort"] = sort_rows(context["keys"], KEY_SORTS, request.GET)
        context["keys"] = context["keys_sort"].rows
        context["plans_sort"] = sort_rows(context["plans"], PLAN_SORTS, request.GET)
        context["plans"] = context["plans_sort"].rows
    return render(request, "web/library/index.html", context, status=status)


@reaches(
    "ssh_keys_list", "isos_list", "server_images_list", "servers_list_plans", "measured_boot_images_list"
)
@team_permission_required("ssh_keys_list")
def library_index(request: HttpRequest) -> HttpResponse:
    """One account's SSH keys, ISOs, images, plans and measured-boot images."""
    return _page(request)


def _write(request: HttpRequest, form_key: str, form_class: Any, action: Action, anchor: str) -> HttpResponse:
    """Add to the account's library: back to its section, or the page with the form again (422)."""
    try:
        grant = action_runs.authorise(request, action, action_runs.requested_account(request))
    except action_runs.Denied as denied:
        return denied.response
    account = chosen_account(request, team_accounts(request))
    form = form_class(request.POST)
    if form.is_valid() and action_runs.submit(request, action, form, target=account, grant=grant):
        messages.success(request, action.done_message)
        return redirect(_library_url(account, anchor))
    return _page(request, forms={form_key: form}, status=422)


@reaches("ssh_keys_create")
@team_permission_required("ssh_keys_create", writes=False)
@require_POST
def ssh_key_create(request: HttpRequest) -> HttpResponse:
    """Add an SSH key to the account."""
    return _write(request, "key", SshKeyForm, actions.SSH_KEY_CREATE, "ssh-keys")


@reaches("isos_add")
@team_permission_required("isos_add", writes=False)
@require_POST
def iso_add(request: HttpRequest) -> HttpResponse:
    """Have VPSBG download an ISO into the account."""
    return _write(request, "iso", IsoAddForm, actions.ISO_ADD, "isos")


@reaches("measured_boot_images_upload")
@team_permission_required("measured_boot_images_upload")
@require_POST
def boot_image_upload(request: HttpRequest) -> HttpResponse:
    form = MeasuredBootUploadForm(request.POST, request.FILES)

    def call(account: str | None) -> Any:
        upload = form.cleaned_data["file"]
        content = (upload.name, upload.read(), upload.content_type or "application/octet-stream")
        return library.measured_boot_images_upload(
            actor=actor_for(request), file=content, account=account, reason=form.cleaned_data["reason"]
        )

    account = chosen_account(request, team_accounts(request))
    if form.is_valid():
        try:
            call(account)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except InvalidInput as exc:
            field_errors(form, exc)
        except PanelError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Boot image uploaded.")
            return redirect(_library_url(account, "boot-images"))
    return _page(request, forms={"boot": form}, status=422)


# -- one object ------------------------------------------------------------------------------------


def _key_page(request: HttpRequest, key_ref: Ref, form: Any = None, status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {"ref": str(key_ref), "may": allowed_actions(request, *LIBRARY_WRITES)}
    try:
        key = library.ssh_keys_get(actor=actor_for(request), ssh_key=key_ref)
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        return render(request, "web/library/ssh_key.html", context)
    context["key"] = key
    context["form"] = form or SshKeyUpdateForm(initial={"name": key.name, "key": key.key})
    context["back"] = _library_url(key_ref.account_id, "ssh-keys")
    return render(request, "web/library/ssh_key.html", context, status=status)


@reaches("ssh_keys_get")
@team_permission_required("ssh_keys_get")
@require_GET
def ssh_key_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """One SSH key: its servers, and (for who may) the form to rename it or replace the key."""
    return _key_page(request, object_ref(ref, "ssh key"))


@reaches("ssh_keys_update")
@team_permission_required("ssh_keys_update", writes=False)
@require_POST
def ssh_key_update(request: HttpRequest, ref: str) -> HttpResponse:
    """Rename the SSH key or replace its public key."""
    key_ref = object_ref(ref, "ssh key")
    try:
        grant = action_runs.authorise(request, actions.SSH_KEY_UPDATE, key_ref)
    except action_runs.Denied as denied:
        return denied.response
    form = SshKeyUpdateForm(request.POST)
    if form.is_valid() and action_runs.submit(
        request, actions.SSH_KEY_UPDATE, form, target=key_ref, grant=grant
    ):
        messages.success(request, actions.SSH_KEY_UPDATE.done_message)
        return redirect(reverse("web:ssh_key", kwargs={"ref": str(key_ref)}))
    return _key_page(request, key_ref, form, status=422)


def _delete_page(
    request: HttpRequest,
    ref: str,
    action: Action,
    *,
    describe: Callable[[HttpRequest, Ref], str],
    anchor: str,
) -> HttpResponse:
    """Delete one library item: a confirmation page (GET), then the deletion (POST)."""
    target = object_ref(ref, action.subject)
    grant = None
    if request.method == "POST":
        try:
            grant = action_runs.authorise(request, action, target)
        except action_runs.Denied as denied:
            return denied.response
    what = "boot image" if action.subject == "measured boot image" else action.subject
    context: dict[str, Any] = {"what": what, "ref": str(target)}
    try:
        context["label"] = describe(request, target)
    except PanelError as exc:
        context["problem"] = problem_from(exc)
        return render(request, "web/library/delete.html", context)
    form = DeleteForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        assert grant is not None
        if action_runs.submit(request, action, form, target=target, grant=grant, data={}):
            messages.success(request, f"{context['label']} deleted.")
            return redirect(_library_url(target.account_id, anchor))
        status = 422
    context["form"] = form
    context["back"] = _library_url(target.account_id, anchor)
    return render(request, "web/library/delete.html", context, status=status)


def _key_label(request: HttpRequest, ref: Ref) -> str:
    key = library.ssh_keys_get(actor=actor_for(request), ssh_key=ref)
    return f"SSH key “{key.name or ref.id}”"


def _iso_label(request: HttpRequest, ref: Ref) -> str:
    iso = library.isos_get(actor=actor_for(request), iso=ref)
    return f"ISO “{iso.name or ref.id}”"


def _boot_label(request: HttpRequest, ref: Ref) -> str:
    for image in library.measured_boot_images_list(actor=actor_for(request), account=ref.account_id):
        if str(image.id) == ref.id:
            return f"Boot image “{image.name or ref.id}”"
    raise NotFoundError("No such measured-boot image.")


@reaches("ssh_keys_delete", "ssh_keys_get")
@team_permission_required("ssh_keys_delete", writes=False)
def ssh_key_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """Delete an SSH key: a confirmation page (GET), then the deletion (POST)."""
    return _delete_page(request, ref, actions.SSH_KEY_DELETE, describe=_key_label, anchor="ssh-keys")


@reaches("isos_delete", "isos_get")
@team_permission_required("isos_delete", writes=False)
def iso_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """Delete an ISO: a confirmation page (GET), then the deletion (POST)."""
    return _delete_page(request, ref, actions.ISO_DELETE, describe=_iso_label, anchor="isos")


@reaches("measured_boot_images_delete", "measured_boot_images_list")
@team_permission_required("measured_boot_images_delete", writes=False)
def boot_image_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """Delete a measured boot image: a confirmation page (GET), then the deletion (POST)."""
    return _delete_page(
        request, ref, actions.MEASURED_BOOT_DELETE, describe=_boot_label, anchor="boot-images"
    )


@reaches("plans_addons", "plans_promo_codes", "servers_list_plans")
@team_permission_required("plans_addons")
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One plan of an account: its price, the addons one can buy with it, its promo codes."""
    accounts = team_accounts(request)
    account = chosen_account(request, accounts)
    if account is None:
        raise Http404("This team has no VPSBG account.")
    actor = actor_for(request)
    context: dict[str, Any] = {"account": account, "account_label": accounts[account], "plan_id": plan_id}
    plans, context["problem"] = _section(lambda: servers.servers_list_plans(actor=actor, account=account))
    if context["problem"] is None:
        context["plan"] = next((p for p in plans if p.id == plan_id), None)
        if context["plan"] is None:
            raise Http404("No such plan.")
        context["addons"], context["addons_problem"] = _section(
            lambda: library.plans_addons(actor=actor, plan_id=plan_id, account=account)
        )
        context["promo_codes"], context["promo_problem"] = _section(
            lambda: library.plans_promo_codes(actor=actor, plan_id=plan_id, account=account)
        )
    context["back"] = _library_url(account, "plans")
    return render(request, "web/library/plan.html", context)
