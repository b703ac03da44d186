"""Reinstall a server from an image (destructive: the reinstall call is made at most once)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from panel.actions.fields import errors_by_field
from panel.actions.servers import ReinstallInput
from panel.core.errors import InvalidInput
from panel.services import servers

from ..runner import DONE, Context, Step
from .common import (
    fresh_server,
    server_ready_step,
    server_ref,
    server_target,
    wait_server_step,
)
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    """The action's own input type checks the input (`panel.actions.servers`): one rule everywhere."""
    _, prepared = server_target(actor, params)
    try:
        data = ReinstallInput.model_validate({k: v for k, v in params.items() if k != "server"})
    except ValidationError as exc:
        raise InvalidInput("Invalid input for “Reinstall”.", fields=errors_by_field(exc)) from None
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
        # VPSBG locks the server while it reinstalls: locked means our call got through.
        return bool(fresh_server(ctx).locked)

    ctx.once("reinstall", call, verify)
    return DONE


def _installed(ctx: Context, server: Any) -> bool:
    return server.server_image is None or server.server_image.id == ctx.params["image_id"]


KIND = Kind(
    name="reinstall",
    label="Reinstall",
    action="servers_reinstall",
    steps=(
        server_ready_step(),
        Step("reinstall", "Asking VPSBG to reinstall", _reinstall, progress=20, point_of_no_return=True),
        wait_server_step("Reinstalling (waiting for VPSBG)", done_when=_installed),
    ),
    prepare=prepare,
)
