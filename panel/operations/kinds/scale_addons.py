"""Scale a server's addons (cPanel, Microsoft licences): order, payment when needed, wait."""

from __future__ import annotations

from typing import Any

from panel.actions.server_billing import AddonsScaleInput
from panel.services import servers

from .common import (
    action_input,
    order_step,
    pay_step,
    server_ready_step,
    server_ref,
    server_target,
    wait_server_step,
)
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    _, prepared = server_target(actor, params)
    prepared.params.update(action_input(AddonsScaleInput, params, "Change licences").model_dump())
    return prepared


KIND = Kind(
    name="scale_addons",
    label="Scale addons",
    action="servers_addons_scale",
    steps=(
        server_ready_step(),
        order_step(
            "order",
            "Ordering the addon change",
            "scale-addon",
            lambda ctx: servers.servers_addons_scale(
                actor=ctx.actor,
                server=server_ref(ctx),
                cpanel=ctx.params.get("cpanel"),
                microsoft_rds_sal=ctx.params.get("microsoft_rds_sal"),
                microsoft_office_sal=ctx.params.get("microsoft_office_sal"),
            ),
            progress=30,
        ),
        pay_step(progress=70),
        wait_server_step("Applying the addons (waiting for VPSBG)"),
    ),
    prepare=prepare,
)
