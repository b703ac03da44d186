"""Library actions: SSH keys, ISOs and measured boot images of a VPSBG account.

The SSH key's format is the reference's pattern (`ssh-rsa` or `ssh-ed25519`, then the base64
body, then an optional comment); a pasted private key is named as such. An ISO is added by its
name (ending in .iso) and the https URL VPSBG downloads it from.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from panel.services import library
from panel.services.context import Actor

from .base import Action, Input, Mode, NoInput, Risk, Target
from .inputs import blank_is_none
from .registry import register

__all__ = [
    "ISO_ADD",
    "ISO_DELETE",
    "MEASURED_BOOT_DELETE",
    "SSH_KEY_CREATE",
    "SSH_KEY_DELETE",
    "SSH_KEY_UPDATE",
    "IsoAddInput",
    "SshKeyInput",
    "SshKeyUpdateInput",
]

# `SshKeyInput.key` in the reference.
SSH_KEY_RE = re.compile(r"^(ssh-(rsa|ed25519)) [A-Za-z0-9+/=]+(\s.+)?$")
KEY_HELP = "One OpenSSH public key line, e.g. “ssh-ed25519 AAAA… you@laptop” (ssh-rsa or ssh-ed25519)."
URL_RE = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d{1,5})?(/\S*)?$")
KeyName = Annotated[str, Field(min_length=3, max_length=100)]
KeyText = Annotated[str, Field(max_length=16_000)]
OptionalKeyName = Annotated[KeyName | None, BeforeValidator(blank_is_none)]
OptionalKeyText = Annotated[KeyText | None, BeforeValidator(blank_is_none)]


def _public_key(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    if SSH_KEY_RE.match(text):
        return text
    if "PRIVATE KEY" in text:
        raise ValueError(
            "This is not an OpenSSH public key but a private key: never paste it anywhere. "
            "Paste the .pub file."
        )
    raise ValueError("This is not an OpenSSH public key (it starts with ssh-ed25519 or ssh-rsa).")
    return text


class SshKeyInput(Input):
    name: KeyName = Field(title="Name")
    key: KeyText = Field(title="Public key", description=KEY_HELP, json_schema_extra={"widget": "textarea"})

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str | None:
        return _public_key(value)


class SshKeyUpdateInput(Input):
    name: OptionalKeyName = Field(default=None, title="Name")
    key: OptionalKeyText = Field(
        default=None, title="Public key", description=KEY_HELP, json_schema_extra={"widget": "textarea"}
    )

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        return _public_key(value)

    @model_validator(mode="after")
    def _something(self) -> SshKeyUpdateInput:
        if self.name is None and self.key is None:
            raise ValueError("Give a new name or a new key.")
        return self


class IsoAddInput(Input):
    name: Annotated[str, Field(max_length=120)] = Field(
        title="File name", description="Ends with .iso, e.g. alpine-3.20.iso."
    )
    url: Annotated[str, Field(max_length=2000)] = Field(
        title="Download URL", description="The web address VPSBG downloads the ISO from (https://…)."
    )

    @field_validator("name")
    @classmethod
    def _iso_name(cls, value: str) -> str:
        value = value.strip()
        if not value.lower().endswith(".iso") or "/" in value:
            raise ValueError("The name must end with .iso (a file name, e.g. alpine-3.20.iso).")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if value and "://" not in value:
            value = f"https://{value}"  # as a browser would
        if not URL_RE.match(value):
            raise ValueError("Enter a valid URL, e.g. https://dl.example.org/alpine.iso.")
        return value


def _key_create(actor: Actor, target: str, data: SshKeyInput, reason: str) -> Any:
    return library.ssh_keys_create(actor=actor, name=data.name, key=data.key, account=target, reason=reason)


def _key_update(actor: Actor, target: str, data: SshKeyUpdateInput, reason: str) -> Any:
    return library.ssh_keys_update(actor=actor, ssh_key=target, name=data.name, key=data.key, reason=reason)


def _key_delete(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
    return library.ssh_keys_delete(actor=actor, ssh_key=target, reason=reason)


def _iso_add(actor: Actor, target: str, data: IsoAddInput, reason: str) -> Any:
    return library.isos_add(actor=actor, name=data.name, url=data.url, account=target, reason=reason)


def _iso_delete(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
    return library.isos_delete(actor=actor, iso=target, reason=reason)


def _boot_delete(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
    return library.measured_boot_images_delete(actor=actor, image=target, reason=reason)


SSH_KEY_CREATE = Action(
    name="ssh_keys_create",
    label="Add SSH key",
    description="Add a public key that new and reinstalled servers may let sign in.",
    input=SshKeyInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_key_create,
    done_message="SSH key added.",
)
SSH_KEY_UPDATE = Action(
    name="ssh_keys_update",
    label="Change SSH key",
    description="Rename an SSH key or replace its public key.",
    input=SshKeyUpdateInput,
    target=Target.ACCOUNT,
    subject="ssh key",
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_key_update,
    done_message="SSH key saved.",
)
SSH_KEY_DELETE = Action(
    name="ssh_keys_delete",
    label="Delete SSH key",
    description="Delete an SSH key from the account (servers that have it keep it).",
    input=NoInput,
    target=Target.ACCOUNT,
    subject="ssh key",
    risk=Risk.DESTRUCTIVE,
    mode=Mode.NOW,
    perform=_key_delete,
    done_message="SSH key deleted.",
)
ISO_ADD = Action(
    name="isos_add",
    label="Add ISO",
    description="Have VPSBG download an ISO image from a web address.",
    input=IsoAddInput,
    target=Target.ACCOUNT,
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_iso_add,
    done_message="ISO added; VPSBG is downloading it.",
)
ISO_DELETE = Action(
    name="isos_delete",
    label="Delete ISO",
    description="Delete an ISO image from the account.",
    input=NoInput,
    target=Target.ACCOUNT,
    subject="iso",
    risk=Risk.DESTRUCTIVE,
    mode=Mode.NOW,
    perform=_iso_delete,
    done_message="ISO deleted.",
)
MEASURED_BOOT_DELETE = Action(
    name="measured_boot_images_delete",
    label="Delete boot image",
    description="Delete a measured boot image (a Unified Kernel Image) from the account.",
    input=NoInput,
    target=Target.ACCOUNT,
    subject="measured boot image",
    risk=Risk.DESTRUCTIVE,
    mode=Mode.NOW,
    perform=_boot_delete,
    done_message="Boot image deleted.",
)

register(SSH_KEY_CREATE, SSH_KEY_UPDATE, SSH_KEY_DELETE, ISO_ADD, ISO_DELETE, MEASURED_BOOT_DELETE)
