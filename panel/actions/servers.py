"""Server actions: power (start, shut down, power off, restart) and reinstall.

Each input type holds every rule about its input: the web form, the API serializer and the
operation kind are built from it (`forms`, `serializers`), so a rule shows in all three.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from panel.services import servers
from panel.services.context import Actor

from .base import Action, Input, Mode, NoInput, Risk, Target
from .registry import register

__all__ = ["MAX_ID", "POWER", "POWER_OFF", "REINSTALL", "RESTART", "START", "STOP", "ReinstallInput"]

MAX_ID = 2**31 - 1
PASSWORD_MIN, PASSWORD_MAX = 12, 128


def _blank_is_none(value: Any) -> Any:
    """An empty box on a form and a missing key in JSON mean the same: no value."""
    return None if value == "" else value


VpsbgId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ReinstallInput(Input):
    """What a reinstall takes: the image, and how root signs in afterwards (password, SSH keys)."""

    image_id: VpsbgId = Field(
        title="Image", description="The image to install.", json_schema_extra={"offered": True}
    )
    password: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None,
        min_length=PASSWORD_MIN,
        max_length=PASSWORD_MAX,
        title="New root password",
        description=f"Optional; {PASSWORD_MIN} to {PASSWORD_MAX} characters. "
        "Leave empty to sign in with SSH keys.",
        json_schema_extra={"secret": True},
    )
    ssh_keys: list[VpsbgId] = Field(
        default_factory=list,
        max_length=50,
        title="SSH keys",
        description="Keys allowed to sign in as root.",
        json_schema_extra={"offered": True},
    )


def _power(name: str, label: str, description: str, done: str) -> Action:
    service = getattr(servers, name)

    def perform(actor: Actor, target: str, data: NoInput, reason: str) -> None:
        service(actor=actor, server=target, reason=reason)

    return Action(
        name=name,
        label=label,
        description=description,
        input=NoInput,
        target=Target.SERVER,
        risk=Risk.WRITE,
        mode=Mode.NOW,
        perform=perform,
        done_message=done,
        schedulable=True,
        bulk=True,
    )


START = _power("servers_start", "Start", "Power on a stopped server.", "Start requested.")
RESTART = _power("servers_restart", "Restart", "Restart the server's system.", "Restart requested.")
STOP = _power("servers_stop", "Shut down", "Shut the server's system down gracefully.", "Shutdown requested.")
POWER_OFF = _power("servers_power_off", "Power off", "Cut the server's power (hard).", "Power-off requested.")
POWER: tuple[Action, ...] = (START, RESTART, STOP, POWER_OFF)


def _reinstall_params(target: str, data: ReinstallInput) -> dict[str, Any]:
    return {"server": target, **data.model_dump()}


REINSTALL = Action(
    name="servers_reinstall",
    label="Reinstall",
    description="Erase the server's disk and install the chosen image.",
    input=ReinstallInput,
    target=Target.SERVER,
    risk=Risk.DESTRUCTIVE,
    mode=Mode.OPERATION,
    kind="reinstall",
    params=_reinstall_params,
)

register(*POWER, REINSTALL)
