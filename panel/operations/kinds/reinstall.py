"""Reinstall a server from an image (destructive: the reinstall call is made at most once)."""

from __future__ import annotations

from typing import Any

from panel.actions.servers import ReinstallInput
from panel.services import servers

from ..runner import DONE, Context, Step
from .common import (
    action_input,
    server_ready_step,
    server_ref,
    server_target,
    server_verify,
    wait_server_step,
)
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    """The action's own input type checks the input (`panel.actions.servers`): one rule everywhere."""
    _, prepared = server_target(actor, params)
    data = action_input(ReinstallInput, params, "Reinstall")
    prepared.params["image_id"] = data.image_id
    prepared.params["ssh_keys"] = list(data.ssh_keys)
    prepared.secret = {"password": data.password} if data.password else {}
    return prepared


def _reinstall(ctx: Context) -> str:
    def call() -> Any:
        return servers.servers_reinstall(
            actor=ctx.actor,
            server=server_ref(ctx),
            image_id=ctx.params["image_id"],
            password=ctx.secret().get("password"),
            ssh_keys=ctx.params.get("ssh_keys") or None,
        )

    def verify() -> bool:
        # Locked: under way. Once VPSBG has finished the lock is gone, so the image decides (the
        # check step recorded the one installed before); the same image before and after: unknown.
        return server_verify(ctx, "reinstall", lambda server: _image_changed(ctx, server))

    ctx.once("reinstall", call, verify)
    return DONE


def _image_changed(ctx: Context, server: Any) -> bool | None:
    """True: the new image is installed; False: still the old one; None: cannot tell."""
    before = (ctx.data.get("before") or {}).get("image_id")
    target = ctx.params["image_id"]
    now = server.server_image.id if server.server_image else None
    if before is None or before == target or now is None:
        return None
    if now == target:
        return True
    return False if now == before else None


def _installed(ctx: Context, server: Any) -> bool:
    return server.server_image is None or server.server_image.id == ctx.params["image_id"]


KIND = Kind(
    name="reinstall",
    label="Reinstall",
    action="servers_reinstall",
    steps=(
        server_ready_step(),
        Step("reinstall", "Asking VPSBG to reinstall", _reinstall, progress=20, point_of_no_return=True),
        wait_server_step("Reinstalling (waiting for VPSBG)", done_when=_installed, park_first=True),
    ),
    prepare=prepare,
)
