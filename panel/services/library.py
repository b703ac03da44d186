"""Per-account objects servers use: SSH keys, ISOs, snapshots, backups, images, plans, measured-boot images.

One service per VPSBG operation, each a thin typed wrapper over `execution.execute` (authorize,
choose the token, call, map errors, audit). Object arguments are `"<account>:<id>"` references;
`account` picks the VPSBG account when the team has several (optional when it has one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from vpsbg_api.areas import (
    BackupsArea,
    IsosArea,
    MeasuredBootArea,
    PlansArea,
    ServerImagesArea,
    SnapshotsArea,
    SshKeysArea,
)
from vpsbg_api.areas._base import FileInput
from vpsbg_api.calls import call
from vpsbg_api.models import (
    Backup,
    Iso,
    MeasuredBootImage,
    PlanAddonPrice,
    PromoCode,
    ServerImage,
    Snapshot,
    SshKey,
)
from vpsbg_api.results import Page

from .context import ActorLike, Ref, ServerRef, parse_server_ref
from .execution import execute
from .helpers import describe_files, in_scope, on_object
from .registry import service

__all__ = [
    "backups_delete",
    "backups_list",
    "isos_add",
    "isos_delete",
    "isos_get",
    "isos_list",
    "measured_boot_images_delete",
    "measured_boot_images_list",
    "measured_boot_images_upload",
    "plans_addons",
    "plans_promo_codes",
    "server_images_list",
    "snapshots_delete",
    "snapshots_list",
    "ssh_keys_create",
    "ssh_keys_delete",
    "ssh_keys_get",
    "ssh_keys_list",
    "ssh_keys_update",
]

R = TypeVar("R")


@service("ssh_keys_get")
def ssh_keys_get(*, actor: ActorLike, ssh_key: Ref | str) -> SshKey:
    """Get an SSH Key.

    Read: `ssh_keys_get`, GET /ssh-keys/{id}.
    """
    return on_object(SshKeysArea.get, actor, ssh_key, "ssh key")


@service("ssh_keys_update")
def ssh_keys_update(
    *, actor: ActorLike, ssh_key: Ref | str, name: str | None = None, key: str | None = None, reason: str = ""
) -> SshKey:
    """Update SSH Key.

    Audited write: `ssh_keys_update`, PATCH /ssh-keys/{id}.
    """
    return on_object(SshKeysArea.update, actor, ssh_key, "ssh key", reason=reason, name=name, key=key)


@service("ssh_keys_delete")
def ssh_keys_delete(*, actor: ActorLike, ssh_key: Ref | str, reason: str = "") -> None:
    """Delete SSH Key.

    Audited write: `ssh_keys_delete`, DELETE /ssh-keys/{id}.
    The route is inferred (`x-unverified` in the reference).
    """
    on_object(SshKeysArea.delete, actor, ssh_key, "ssh key", reason=reason)


@service("ssh_keys_list")
def ssh_keys_list(*, actor: ActorLike, page: int | None = None, account: str | None = None) -> Page[SshKey]:
    """List SSH keys.

    Read: `ssh_keys_list`, GET /ssh-keys.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(SshKeysArea.list, page=page), actor=actor, account=account)


@service("ssh_keys_create")
def ssh_keys_create(
    *, actor: ActorLike, name: str, key: str, account: str | None = None, reason: str = ""
) -> SshKey:
    """Add SSH Key.

    Audited write: `ssh_keys_create`, POST /ssh-keys.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(SshKeysArea.create, name=name, key=key), actor=actor, account=account, reason=reason)


@service("measured_boot_images_list")
def measured_boot_images_list(*, actor: ActorLike, account: str | None = None) -> Page[MeasuredBootImage]:
    """List measured boot images.

    Read: `measured_boot_images_list`, GET /measured-boot-images.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(MeasuredBootArea.images_list), actor=actor, account=account)


@service("measured_boot_images_upload")
def measured_boot_images_upload(
    *, actor: ActorLike, file: FileInput, account: str | None = None, reason: str = ""
) -> MeasuredBootImage:
    """Upload measured boot image.

    Audited write: `measured_boot_images_upload`, POST /measured-boot-images.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(
        call(MeasuredBootArea.images_upload, file=file),
        actor=actor,
        account=account,
        audit_params={"file": describe_files(file)},
        reason=reason,
    )


@service("measured_boot_images_delete")
def measured_boot_images_delete(*, actor: ActorLike, image: Ref | str, reason: str = "") -> None:
    """Delete measured boot image.

    Audited write: `measured_boot_images_delete`, DELETE /measured-boot-images/{id}.
    The route is inferred (`x-unverified` in the reference).
    """
    on_object(MeasuredBootArea.images_delete, actor, image, "measured boot image", reason=reason)


@service("plans_addons")
def plans_addons(*, actor: ActorLike, plan_id: int, account: str | None = None) -> Page[PlanAddonPrice]:
    """Plan addon.

    Read: `plans_addons`, GET /plans/{id}/addons.
    """
    return execute(call(PlansArea.addons, id=plan_id), actor=actor, account=account)


@service("plans_promo_codes")
def plans_promo_codes(*, actor: ActorLike, plan_id: int, account: str | None = None) -> list[PromoCode]:
    """Plan promo-codes.

    Read: `plans_promo_codes`, GET /plans/{id}/promo-codes.
    """
    return execute(call(PlansArea.promo_codes, id=plan_id), actor=actor, account=account)


def _copies(
    method: Callable[..., Page[R]],
    actor: ActorLike,
    server: ServerRef | str | None,
    *,
    account: str | None,
    **kwargs: Any,
) -> Page[R]:
    """Snapshots or backups of an account, or of one server (then its account is the server's).

    A member limited to some servers sees only their copies.
    """
    ref = parse_server_ref(server) if server is not None else None
    return execute(
        call(method, **kwargs, server_id=ref.server_id if ref is not None else None),
        actor=actor,
        account=ref.account_id if ref is not None else account,
        servers=(ref,) if ref is not None else (),
        postprocess=in_scope(actor, by="server_id"),
    )


@service("snapshots_list")
def snapshots_list(
    *,
    actor: ActorLike,
    page: int | None = None,
    date: str | None = None,
    server: ServerRef | str | None = None,
    sort: Literal["date", "-date"] | None = None,
    account: str | None = None,
) -> Page[Snapshot]:
    """List snapshots.

    Read: `snapshots_list`, GET /snapshots.
    """
    return _copies(SnapshotsArea.list, actor, server, account=account, page=page, date=date, sort=sort)


@service("snapshots_delete")
def snapshots_delete(*, actor: ActorLike, snapshot: Ref | str, reason: str = "") -> None:
    """Delete snapshot.

    Audited write: `snapshots_delete`, DELETE /snapshots/{id}.
    The route is inferred (`x-unverified` in the reference).
    """
    on_object(SnapshotsArea.delete, actor, snapshot, "snapshot", reason=reason)


@service("backups_list")
def backups_list(
    *,
    actor: ActorLike,
    page: int | None = None,
    date: str | None = None,
    server: ServerRef | str | None = None,
    size: int | None = None,
    sort: Literal["date", "-date"] | None = None,
    account: str | None = None,
) -> Page[Backup]:
    """List backups.

    Read: `backups_list`, GET /backups.
    """
    return _copies(
        BackupsArea.list, actor, server, account=account, page=page, date=date, size=size, sort=sort
    )


@service("backups_delete")
def backups_delete(*, actor: ActorLike, backup: Ref | str, reason: str = "") -> None:
    """Delete backup.

    Audited write: `backups_delete`, DELETE /backups/{id}.
    The route is inferred (`x-unverified` in the reference).
    """
    on_object(BackupsArea.delete, actor, backup, "backup", reason=reason)


@service("server_images_list")
def server_images_list(*, actor: ActorLike, account: str | None = None) -> Page[ServerImage]:
    """List server images.

    Read: `server_images_list`, GET /server-images.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(ServerImagesArea.list), actor=actor, account=account)


@service("isos_list")
def isos_list(*, actor: ActorLike, account: str | None = None) -> Page[Iso]:
    """List ISOs.

    Read: `isos_list`, GET /isos.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(IsosArea.list), actor=actor, account=account)


@service("isos_add")
def isos_add(
    *,
    actor: ActorLike,
    name: str | None = None,
    url: str | None = None,
    account: str | None = None,
    reason: str = "",
) -> Any:
    """Add ISO.

    Audited write: `isos_add`, POST /isos.
    The route is inferred (`x-unverified` in the reference).
    """
    return execute(call(IsosArea.add, name=name, url=url), actor=actor, account=account, reason=reason)


@service("isos_get")
def isos_get(*, actor: ActorLike, iso: Ref | str) -> Iso:
    """Get an ISO.

    Read: `isos_get`, GET /isos/{id}.
    The route is inferred (`x-unverified` in the reference).
    """
    return on_object(IsosArea.get, actor, iso, "iso")


@service("isos_delete")
def isos_delete(*, actor: ActorLike, iso: Ref | str, reason: str = "") -> None:
    """Delete an ISO.

    Audited write: `isos_delete`, DELETE /isos/{id}.
    The route is inferred (`x-unverified` in the reference).
    """
    on_object(IsosArea.delete, actor, iso, "iso", reason=reason)
