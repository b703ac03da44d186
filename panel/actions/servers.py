"""Server actions: power, reinstall, and the server's settings (hostname, SSH keys, ISOs, root
password, rescue mode, primary IP, measured boot).

Each input type holds every rule about its input: the web form, the API serializer and the
operation kind are built from it (`forms`, `serializers`), so a rule shows in all three. Bounds
follow the VPSBG reference (`vpsbg_api/openapi.json`) where it gives them, and the panel's own
(passwords of 12 to 128 characters, RFC 1123 host names) where it is silent. Billing actions of a
server (renew, scale, addons, cancel) are in `server_billing.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from panel.services import servers
from panel.services.context import Actor

from .base import Action, Input, Mode, NoInput, Risk, Target, field_error
from .registry import register

__all__ = [
    "CHANGE_PASSWORD",
    "HOSTNAME",
    "ISOS",
    "MAX_ID",
    "MEASURED_BOOT",
    "POWER",
    "POWER_OFF",
    "PRIMARY_IP",
    "REINSTALL",
    "RESCUE_OFF",
    "RESCUE_ON",
    "RESTART",
    "SSH_KEYS",
    "START",
    "STOP",
    "HostnameInput",
    "IsosInput",
    "MeasuredBootInput",
    "PasswordInput",
    "PrimaryIpInput",
    "ReinstallInput",
    "SshKeysInput",
    "normal_hostname",
]

MAX_ID = 2**31 - 1
PASSWORD_MIN, PASSWORD_MAX = 12, 128
MAX_KEYS = 50
# RFC 1123 host names: labels of letters, digits and hyphens, 1-63 characters, not starting or
# ending with a hyphen; 253 characters at most.
HOSTNAME_RE = re.compile(r"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")
HOSTNAME_RULE = "Enter a host name of letters, digits, hyphens and dots (e.g. web-01.example.com)."


def _blank_is_none(value: Any) -> Any:
    """An empty box on a form and a missing key in JSON mean the same: no value."""
    return None if value == "" else value


def normal_hostname(value: str) -> str:
    """`value` as VPSBG gets it (trimmed, lower case, no final dot); ValueError when not a host name."""
    value = value.strip()
    if not HOSTNAME_RE.match(value):
        raise ValueError(HOSTNAME_RULE)
    return value.rstrip(".").lower()


VpsbgId = Annotated[int, Field(ge=1, le=MAX_ID)]
OptionalId = Annotated[VpsbgId | None, BeforeValidator(_blank_is_none)]
Password = Annotated[str, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]


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
        max_length=MAX_KEYS,
        title="SSH keys",
        description="Keys allowed to sign in as root.",
        json_schema_extra={"offered": True},
    )


class HostnameInput(Input):
    hostname: str = Field(
        min_length=1,
        max_length=253,
        title="Hostname",
        description="Letters, digits, hyphens and dots, e.g. web-01.example.com.",
        json_schema_extra={"example": "web-01.example.com"},
    )

    @field_validator("hostname")
    @classmethod
    def _a_host_name(cls, value: str) -> str:
        return normal_hostname(value)


class SshKeysInput(Input):
    ssh_keys: list[VpsbgId] = Field(
        default_factory=list,
        max_length=MAX_KEYS,
        title="SSH keys",
        description="The account's keys allowed to sign in as root; none removes them all.",
        json_schema_extra={"offered": True},
    )


class IsosInput(Input):
    """The ISOs mounted on the server; none (or null) unmounts."""

    primary_iso_id: OptionalId = Field(
        default=None,
        title="Primary ISO",
        description="None unmounts it.",
        json_schema_extra={"offered": True},
    )
    secondary_iso_id: OptionalId = Field(
        default=None,
        title="Secondary ISO",
        description="None unmounts it.",
        json_schema_extra={"offered": True},
    )

    @model_validator(mode="after")
    def _two_different_isos(self) -> IsosInput:
        if self.secondary_iso_id is not None and self.secondary_iso_id == self.primary_iso_id:
            message = "The secondary ISO must differ from the primary one."
            raise field_error(IsosInput, "secondary_iso_id", message, self.secondary_iso_id)
        return self


class PasswordInput(Input):
    password: Password = Field(
        title="New root password",
        description=f"{PASSWORD_MIN} to {PASSWORD_MAX} characters. The server reboots to apply it.",
        json_schema_extra={"secret": True},
    )


class PrimaryIpInput(Input):
    ip_id: VpsbgId = Field(
        title="New primary address",
        description="One of the server's own addresses.",
        json_schema_extra={"offered": True},
    )


class MeasuredBootInput(Input):
    kernel_image_id: OptionalId = Field(
        default=None,
        title="Kernel image",
        description="A measured boot image of the account; none turns measured boot off.",
        json_schema_extra={"offered": True},
    )


# -- power (run at once) --------------------------------------------------------------------------
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


# -- settings (run at once) -----------------------------------------------------------------------
def _hostname(actor: Actor, target: str, data: HostnameInput, reason: str) -> Any:
    return servers.servers_update_hostname(actor=actor, server=target, hostname=data.hostname, reason=reason)


def _ssh_keys(actor: Actor, target: str, data: SshKeysInput, reason: str) -> Any:
    return servers.servers_update_ssh_keys(
        actor=actor, server=target, ssh_keys=list(data.ssh_keys), reason=reason
    )


def _isos(actor: Actor, target: str, data: IsosInput, reason: str) -> Any:
    return servers.servers_modify_isos(
        actor=actor,
        server=target,
        primary_iso_id=data.primary_iso_id,
        secondary_iso_id=data.secondary_iso_id,
        reason=reason,
    )


def _measured_boot(actor: Actor, target: str, data: MeasuredBootInput, reason: str) -> Any:
    return servers.servers_set_measured_boot(
        actor=actor, server=target, kernel_image_id=data.kernel_image_id, reason=reason
    )


HOSTNAME = Action(
    name="servers_update_hostname",
    label="Change the hostname",
    description="Rename the server at VPSBG.",
    input=HostnameInput,
    target=Target.SERVER,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_hostname,
    done_message="Hostname changed.",
)
SSH_KEYS = Action(
    name="servers_update_ssh_keys",
    label="Choose the SSH keys",
    description="Which of the account's SSH keys may sign in to the server as root.",
    input=SshKeysInput,
    target=Target.SERVER,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_ssh_keys,
    done_message="SSH keys updated.",
)
ISOS = Action(
    name="servers_modify_isos",
    label="Mount ISOs",
    description="Mount (or unmount) the primary and secondary ISO.",
    input=IsosInput,
    target=Target.SERVER,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_isos,
    done_message="ISOs updated.",
)
MEASURED_BOOT = Action(
    name="servers_set_measured_boot",
    label="Measured boot",
    description="Boot a chosen Unified Kernel Image from the next start, or turn measured boot off.",
    input=MeasuredBootInput,
    target=Target.SERVER,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_measured_boot,
    done_message="Measured boot updated.",
)


# -- long operations ------------------------------------------------------------------------------
def server_params(target: str, data: Input) -> dict[str, Any]:
    """The parameters of a server's operation: the server, and the validated input as it is."""
    return {"server": target, **data.model_dump()}


def _operation(name: str, label: str, description: str, model: type[Input], kind: str, risk: Risk) -> Action:
    return Action(
        name=name,
        label=label,
        description=description,
        input=model,
        target=Target.SERVER,
        risk=risk,
        mode=Mode.OPERATION,
        kind=kind,
        params=server_params,
    )


REINSTALL = _operation(
    "servers_reinstall", "Reinstall", "Erase the server's disk and install the chosen image.",
    ReinstallInput, "reinstall", Risk.DESTRUCTIVE,
)  # fmt: skip
CHANGE_PASSWORD = _operation(
    "servers_change_password", "Change the root password",
    "Replace the root password; the server reboots to apply it.", PasswordInput, "password", Risk.WRITE,
)  # fmt: skip
RESCUE_ON = _operation(
    "servers_rescue_enable", "Start rescue mode",
    "Restart the server into a rescue system.", NoInput, "rescue_on", Risk.WRITE,
)  # fmt: skip
RESCUE_OFF = _operation(
    "servers_rescue_disable", "End rescue mode",
    "Restart the server into its own system.", NoInput, "rescue_off", Risk.WRITE,
)  # fmt: skip
PRIMARY_IP = _operation(
    "servers_change_primary_ip", "Change the primary IP address",
    "Make another of the server's addresses its primary one; the server restarts.",
    PrimaryIpInput, "primary_ip", Risk.WRITE,
)  # fmt: skip

register(
    *POWER, REINSTALL, HOSTNAME, SSH_KEYS, ISOS, MEASURED_BOOT, CHANGE_PASSWORD, RESCUE_ON, RESCUE_OFF,
    PRIMARY_IP,
)  # fmt: skip
