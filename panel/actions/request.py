"""`ActionRequest`: one request to run one action, as a value (stored, run later, run per server).

Made only through `ActionRequest.create`, which validates the input with the action's input type,
so a request that exists is a valid one; it is authorised again when it runs (`pipeline.run`).
`to_json()`/`from_json()` carry it across processes: secret fields (a root password) leave the
process only encrypted with the vault's keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from panel.core.errors import InvalidInput, NotFoundError
from panel.services.context import Actor, as_actor, parse_ref, parse_server_ref
from panel.vault import crypto

from .base import Action, Input, Target
from .fields import errors_by_field, specs
from .registry import get

__all__ = ["ActionRequest"]


def _target(action: Action, target: Any) -> str:
    if action.target is Target.SERVER:
        return str(parse_server_ref(target))
    if action.subject:
        return str(parse_ref(target, action.subject))
    if action.target is Target.SNAPSHOT:
        return str(parse_ref(target, "snapshot"))
    return str(target or "").strip()[:255]


@dataclass(frozen=True)
class ActionRequest:
    action: Action
    input: Input
    actor: Actor = field(compare=False)
    target: str
    reason: str = ""
    idempotency_key: str = ""

    @classmethod
    def create(
        cls,
        action: Action | str,
        *,
        actor: Any,
        target: Any,
        data: dict[str, Any] | Input | None = None,
        reason: str = "",
        idempotency_key: str = "",
    ) -> ActionRequest:
        """A validated request; `InvalidInput` (with field errors) or `NotFoundError` otherwise."""
        declared = get(action) if isinstance(action, str) else action
        if declared is None:
            raise InvalidInput(f"Unknown action “{str(action)[:60]}”.")
        if isinstance(data, declared.input):
            checked = data
        else:
            if data is not None and not isinstance(data, dict):
                raise InvalidInput("The input of an action must be a mapping.")
            try:
                checked = declared.input.model_validate(data or {})
            except ValidationError as exc:
                fields = errors_by_field(exc)
                raise InvalidInput(
                    f"Invalid input for “{declared.label}”.",
                    fields={name or "input": messages for name, messages in fields.items()},
                ) from None
        return cls(
            action=declared,
            input=checked,
            actor=as_actor(actor),
            target=_target(declared, target),
            reason=str(reason or "").strip()[:1000],
            idempotency_key=str(idempotency_key or "").strip()[:100],
        )

    def to_json(self) -> str:
        secret = {spec.name for spec in specs(self.action.input) if spec.secret}
        data = self.input.model_dump(mode="json")
        for name in secret:
            if data.get(name) is not None:
                data[name] = {"encrypted": crypto.encrypt(json.dumps(data[name]))}
        return json.dumps(
            {
                "action": self.action.name,
                "input": data,
                "actor": {
                    "membership": self.actor.membership.pk,
                    "api_token_label": self.actor.api_token_label,
                },
                "target": self.target,
                "reason": self.reason,
                "idempotency_key": self.idempotency_key,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ActionRequest:
        """The request `to_json` wrote, validated again (the member must still be one)."""
        from panel.accounts.models import Membership

        try:
            raw = json.loads(text)
            data = {
                name: json.loads(crypto.decrypt(value["encrypted"]))
                if isinstance(value, dict) and set(value) == {"encrypted"}
                else value
                for name, value in dict(raw["input"]).items()
            }
            membership = (
                Membership.objects.select_related("team", "user")
                .filter(pk=raw["actor"]["membership"])
                .first()
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"This stored request cannot be read: {type(exc).__name__}.") from None
        if membership is None:
            raise NotFoundError("The member who made this request is no longer in the team.")
        return cls.create(
            raw["action"],
            actor=Actor(membership, api_token_label=raw["actor"].get("api_token_label")),
            target=raw["target"],
            data=data,
            reason=raw.get("reason", ""),
            idempotency_key=raw.get("idempotency_key", ""),
        )
