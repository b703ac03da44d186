"""Change a server's primary IPv4 (VPSBG reboots the server): ask once, wait for the reboot."""

from __future__ import annotations

from typing import Any

from panel.actions.servers import PrimaryIpInput
from panel.services import servers

from ..runner import DONE, Context, Step
from .common import action_input, fresh_server, server_ready_step, server_ref, server_target, wait_server_step
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    _, prepared = server_target(actor, params)
    prepared.params["ip_id"] = action_input(PrimaryIpInput, params, "Change the primary IP").ip_id
    return prepared


def _is_primary(ctx: Context, server: Any) -> bool:
    return any(ip.id == ctx.params["ip_id"] and ip.main for ip in server.ip_addresses or [])


def _change(ctx: Context) -> str:
    def verify() -> bool:
        server = fresh_server(ctx)
        return bool(server.locked) or _is_primary(ctx, server)

    ctx.once(
        "primary_ip",
        lambda: servers.servers_change_primary_ip(
            actor=ctx.actor, server=server_ref(ctx), ip_id=ctx.params["ip_id"]
        ),
        verify,
    )
    return DONE


KIND = Kind(
    name="primary_ip",
    label="Change primary IP",
    action="servers_change_primary_ip",
    steps=(
        server_ready_step(),
        Step(
            "primary_ip",
            "Asking VPSBG to change the primary IP",
            _change,
            progress=20,
            point_of_no_return=True,
        ),
        wait_server_step("Rebooting (waiting for VPSBG)", done_when=_is_primary),
    ),
    prepare=prepare,
)
