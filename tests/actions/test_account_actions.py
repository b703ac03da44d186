"""Actions on a VPSBG account (billing, support, library, network, account): their targets, JSON
round trips with amounts and files, the scope rule for members limited to servers, and the cost a
paying request would spend (what budget and approval policies read)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from panel.accounts.roles import Role
from panel.actions import pipeline, registry
from panel.actions.base import Risk, Target
from panel.actions.billing import DEPOSIT, ORDER_DELETE, PAY_ORDERS
from panel.actions.library import SSH_KEY_CREATE
from panel.actions.request import ActionRequest
from panel.actions.support import TICKET_REPLY
from panel.audit.models import AuditEvent
from panel.core.errors import InvalidInput, NotFoundError
from panel.services.context import Actor
from tests.actions.conftest import ACCOUNT
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0ZXN0 me@laptop"


def test_an_account_action_names_the_teams_only_account_when_none_is_given(actor) -> None:
    grant = pipeline.authorise(DEPOSIT, actor, "")
    assert grant.target == ACCOUNT


def test_an_account_the_team_does_not_hold_is_not_found_and_the_attempt_is_kept(actor) -> None:
    with pytest.raises(NotFoundError):
        pipeline.submit(SSH_KEY_CREATE, actor=actor, target="someone@else.example",
                        data={"name": "laptop", "key": KEY})
    with pytest.raises(NotFoundError):
        pipeline.authorise(ORDER_DELETE, actor, "someone@else.example:7")
    assert AuditEvent.objects.filter(operation_id="ssh_keys_create", outcome="denied").count() == 1
    assert AuditEvent.objects.filter(operation_id="orders_delete", outcome="denied").count() == 1


def test_a_member_limited_to_servers_is_refused_account_wide_writes_before_validation(team, owner) -> None:
    limited = Actor(MembershipFactory(team=team, role=Role.ADMIN, server_scope=[f"{ACCOUNT}:2864"]))
    with pytest.raises(pipeline.Refused, match="limited to chosen servers"):
        pipeline.submit(SSH_KEY_CREATE, actor=limited, target=ACCOUNT, data={"name": "x"})  # bad input too
    # ...but may still talk to support about a ticket
    assert pipeline.authorise(TICKET_REPLY, limited, f"{ACCOUNT}:216").target == f"{ACCOUNT}:216"


def test_an_amount_and_a_file_survive_json(actor) -> None:
    deposit = ActionRequest.create(DEPOSIT, actor=actor, target=ACCOUNT,
                                   data={"amount": "12.50", "payment_method": "bank"})
    again = ActionRequest.from_json(deposit.to_json())
    assert again == deposit and again.input.amount == Decimal("12.50")
    reply = ActionRequest.create(
        TICKET_REPLY, actor=actor, target=f"{ACCOUNT}:216",
        data={"message": "See the log.", "attachments": [
            {"name": "log.txt", "content_type": "text/plain", "content": b"\x00kernel: oops\xff"}
        ]},
    )  # fmt: skip
    text = reply.to_json()
    assert "kernel" not in text  # the bytes travel as base64
    assert ActionRequest.from_json(text).input.attachments[0].content == b"\x00kernel: oops\xff"


def test_a_deposit_has_at_most_two_decimals_and_a_method_vpsbg_takes(actor) -> None:
    for bad in ({"amount": "1.005", "payment_method": "bank"}, {"amount": "5", "payment_method": "balance"}):
        with pytest.raises(InvalidInput):
            ActionRequest.create(DEPOSIT, actor=actor, target=ACCOUNT, data=bad)


def test_every_paying_action_says_what_it_costs(actor, monkeypatch) -> None:
    paying = [a for a in registry.load_all().values() if a.risk is Risk.PAYING]
    assert paying and all(a.cost is not None for a in paying)
    deposit = ActionRequest.create(DEPOSIT, actor=actor, target=ACCOUNT,
                                   data={"amount": "40", "payment_method": "card"})
    assert DEPOSIT.cost is not None and DEPOSIT.cost(deposit) == (Decimal("40"), "EUR")

    class Order:
        def __init__(self, status: str, amount: float | None) -> None:
            self.status, self.amount_with_vat = status, amount

    orders = {
        "7": Order("awaiting_payment", 12.0), "8": Order("paid", 99.0), "9": Order("awaiting_payment", 3.5),
    }  # fmt: skip
    monkeypatch.setattr("panel.services.billing.orders_get",
                        lambda *, actor, order: orders[str(order).rpartition(":")[2]])
    pay = ActionRequest.create(PAY_ORDERS, actor=actor, target=ACCOUNT, data={"ids": [7, 8, 9]})
    assert PAY_ORDERS.cost is not None and PAY_ORDERS.cost(pay) == (Decimal("15.5"), "EUR")  # paid: nothing
    orders["9"] = Order("awaiting_payment", None)
    assert PAY_ORDERS.cost(pay) is None  # unknown, never a guess


def test_account_actions_target_an_account(actor) -> None:
    for action in registry.load_all().values():
        if action.name.startswith(("servers_", "floating_ips_attach", "backups_", "snapshots_")):
            continue
        assert action.target is Target.ACCOUNT, action.name
