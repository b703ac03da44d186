"""Rescue mode on and off: ask once, wait until VPSBG shows the server in (or out of) rescue."""

from __future__ import annotations

from typing import Any

from panel.actions.base import NoInput
from panel.services import servers

from ..runner import DONE, WAIT, Context, Step, StepFailed
from .common import action_input, fresh_server, server_ready_step, server_ref, server_target
from .registry import Kind, Prepared


def prepare(actor: Any, params: dict[str, Any]) -> Prepared:
    _, prepared = server_target(actor, params)
    action_input(NoInput, params, "Rescue mode")
    return prepared


def _in_rescue(ctx: Context) -> bool:
    ref = server_ref(ctx)
    return bool(servers.servers_status(actor=ctx.actor, server=ref).rescue_mode)


def _switch(enable: bool) -> Step:
    call = servers.servers_rescue_enable if enable else servers.servers_rescue_disable

    def run(ctx: Context) -> str:
        ctx.once(
            "rescue",
            lambda: call(actor=ctx.actor, server=server_ref(ctx)),
            lambda: bool(fresh_server(ctx).locked) or _in_rescue(ctx) == enable,
        )
        return DONE

    label = "Asking VPSBG to boot into rescue" if enable else "Asking VPSBG to leave rescue"
    return Step("rescue", label, run, progress=20, point_of_no_return=True)


def _wait(enable: bool) -> Step:
    def run(ctx: Context) -> str:
        if fresh_server(ctx).locked:
            return WAIT
        if _in_rescue(ctx) != enable:
            raise StepFailed("VPSBG finished, but the server's rescue mode did not change.")
        return DONE

    return Step("wait", "Rebooting (waiting for VPSBG)", run, progress=95)


KINDS = (
    Kind(
        name="rescue_on",
        label="Rescue mode on",
        action="servers_rescue_enable",
        steps=(server_ready_step(), _switch(True), _wait(True)),
        prepare=prepare,
    ),
    Kind(
        name="rescue_off",
        label="Rescue mode off",
        action="servers_rescue_disable",
        steps=(server_ready_step(), _switch(False), _wait(False)),
        prepare=prepare,
    ),
)
