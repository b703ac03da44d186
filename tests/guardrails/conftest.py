"""A team holding a token for one VPSBG account, members of every role, and declared stand-ins
for actions not converted yet (a paying one with a cost), registered for the test only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from panel.accounts.models import EncryptedTOTPDevice, Membership, Team
from panel.accounts.roles import Role
from panel.actions import registry
from panel.actions.base import Action, Input, Mode, Risk, Target
from panel.services.context import Actor
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from tests.factories import MembershipFactory, UserFactory

ACCOUNT = "guardrails@vpsbg.example"
SERVER = f"{ACCOUNT}:2864"
RAN: list[tuple[str, str]] = []


class RenewInput(Input):
    months: int = 1


def _renew_perform(actor: Actor, target: str, data: RenewInput, reason: str) -> str:
    RAN.append(("servers_renew", target))
    return "renewed"


def _renew_cost(request: Any) -> tuple[Decimal, str]:
    return Decimal("12.50") * request.input.months, "EUR"


# servers_renew as `act-others` may declare it: paying, with a cost per request.
RENEW = Action(
    name="servers_renew",
    label="Renew",
    description="Renew the server for some months.",
    input=RenewInput,
    target=Target.SERVER,
    risk=Risk.PAYING,
    mode=Mode.NOW,
    perform=_renew_perform,
    cost=_renew_cost,
)


@pytest.fixture
def declared(monkeypatch) -> Iterator[dict[str, Action]]:
    registry.load_all()
    monkeypatch.setitem(registry.ACTIONS, "servers_renew", RENEW)
    RAN.clear()
    yield {"renew": RENEW}
    RAN.clear()


@pytest.fixture
def account(team: Team) -> str:
    token = ApiToken(
        team=team,
        name="guardrails token",
        scope=TokenScope.READ_WRITE,
        account_id=ACCOUNT,
        account_label="Guardrails",
        status=TokenStatus.OK,
    )
    token.set_secret("guardrails-account-secret-0000")
    token.save()
    return ACCOUNT


@pytest.fixture
def member(team: Team, account: str) -> Callable[..., Membership]:
    def make(role: Role | str, **user: Any) -> Membership:
        person = UserFactory(**user)
        EncryptedTOTPDevice.objects.create(user=person, name="phone", confirmed=True)
        return MembershipFactory(team=team, user=person, role=Role(role))

    return make
