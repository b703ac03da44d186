"""Change a server's root password and reboot it. The password is stored only encrypted, and
only until the operation ends; the task gets the operation id, never the password."""

from __future__ import annotations

from typing import Any

from panel.actions.servers import PasswordInput
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
    _, prepared = server_target(actor, params)
    prepared.secret = {"password": action_input(PasswordInput, params, "Change the root password").password}
    return prepared


def _change(ctx: Context) -> str:
    ctx.once(
        "password",
        lambda: servers.servers_change_password(
            actor=ctx.actor, server=server_ref(ctx), password=ctx.secret()["password"], reboot=True
        ),
        # The reboot shows as a locked server; once it is over, nothing shows the password was set.
        lambda: server_verify(ctx, "change the password"),
    )
    return DONE


KIND = Kind(
    name="password",
    label="Change password and reboot",
    action="servers_change_password",
    steps=(
        server_ready_step(),
        Step("password", "Setting the new password", _change, progress=30, point_of_no_return=True),
        wait_server_step("Rebooting (waiting for VPSBG)"),
    ),
    prepare=prepare,
)
