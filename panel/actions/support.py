"""Support actions: tickets (resolve).

Opening a ticket and replying carry attachments, which the input types cannot hold yet: those two
still run through their services directly (`panel/web/views/support.py`, the API's generated
endpoints). The support plan's actions are billing's (`billing.py`).
"""

from __future__ import annotations

from typing import Any

from panel.services import support
from panel.services.context import Actor

from .base import Action, Mode, NoInput, Risk, Target
from .registry import register

__all__ = ["TICKET_RESOLVE"]


def _resolve(actor: Actor, target: str, data: NoInput, reason: str) -> Any:
    return support.support_tickets_resolve(actor=actor, ticket=target, reason=reason)


TICKET_RESOLVE = Action(
    name="support_tickets_resolve",
    label="Resolve ticket",
    description="Mark a support ticket resolved (VPSBG closes it).",
    input=NoInput,
    target=Target.ACCOUNT,
    subject="ticket",
    risk=Risk.WRITE,
    mode=Mode.NOW,
    perform=_resolve,
    done_message="Ticket resolved.",
)

register(TICKET_RESOLVE)
