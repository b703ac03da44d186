"""Scale a server's addons (cPanel, Microsoft licences): order, payment when needed, wait."""

from __future__ import annotations

from typing import Any

from panel.core.errors import InvalidInput
from panel.services import servers

from .common import (
    order_step,
    pay_step,
    positive_int,
    server_ready_step,
    server_ref,
    server_target,
    text,
    wait_server_step,
)
from .registry import Kind, Prepared

CPANEL = ("cpanel-admin-5", "cpanel-pro-30", "cpanel-plus-50", "cpanel-premier-100")


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    _, prepared = server_target(actor, params)
    cpanel = text(params, "cpanel", required=False, max_length=40) or None
    if cpanel is not None and cpanel not in CPANEL:
        raise InvalidInput("Unknown cPanel licence.", fields={"cpanel": f"One of {', '.join(CPANEL)}."})
    rds = positive_int(params, "microsoft_rds_sal", required=False)
    office = positive_int(params, "microsoft_office_sal", required=False)
    if cpanel is None and rds is None and office is None:
        raise InvalidInput("Choose at least one addon to scale.")
    prepared.params.update(cpanel=cpanel, microsoft_rds_sal=rds, microsoft_office_sal=office)
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
