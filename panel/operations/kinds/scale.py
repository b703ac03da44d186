"""Scale a server to another plan: order, payment when needed, wait until VPSBG applied it."""

from __future__ import annotations

from typing import Any

from panel.actions.server_billing import ScaleInput
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
    prepared.params.update(action_input(ScaleInput, params, "Scale").model_dump())
    return prepared


KIND = Kind(
    name="scale",
    label="Scale to another plan",
    action="servers_scale",
    steps=(
        server_ready_step(),
        order_step(
            "order",
            "Ordering the new plan",
            "scale-service",
            lambda ctx: servers.servers_scale(
                actor=ctx.actor,
                server=server_ref(ctx),
                plan=ctx.params["plan"],
                scale_disk=ctx.params["scale_disk"],
            ),
            progress=20,
        ),
        pay_step(progress=40),
        wait_server_step(
            "Scaling (waiting for VPSBG)",
            done_when=lambda ctx, server: server.plan is None or server.plan.name == ctx.params["plan"],
        ),
    ),
    prepare=prepare,
)
