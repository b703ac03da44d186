"""A member limited to chosen servers sees no account money and only the orders about their servers.

The simulator's account alpha has a paid new-service order per server, a renewal awaiting payment
for legacy-app (2869) and a bank deposit; the limited member holds alpha's 2864 and beta's 2951.
"""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.core.errors import NotAllowed, NotFoundError
from panel.services import aggregates, billing

from .conftest import ALPHA, BETA

pytestmark = pytest.mark.usefixtures("tokens")


@pytest.fixture
def limited(member):
    return member(Role.BILLING, scope=[f"{ALPHA}:2864", f"{BETA}:2951"])


def _servers_of(order) -> set[int]:
    return {line.service_id for line in order.services or [] if line.service_type == "server"}


def _all_orders(actor, account: str) -> list:
    return [billing.orders_get(actor=actor, order=f"{account}:{o.id}") for o in billing.orders_list(
        actor=actor, account=account, per_page=50)]


@pytest.mark.parametrize(
    "read",
    [
        lambda who: billing.balance_get(actor=who, account=ALPHA),
        lambda who: billing.balance_transactions_list(actor=who, account=ALPHA),
        lambda who: billing.invoices_list(actor=who, account=ALPHA),
        lambda who: billing.invoices_download(actor=who, invoice=f"{ALPHA}:1"),
        lambda who: billing.invoices_download_many(actor=who, ids=[1], account=ALPHA),
        lambda who: billing.balance_deposit(actor=who, amount=50, payment_method="bank", account=ALPHA),
        lambda who: aggregates.balances_all(actor=who),
    ],
    ids=["balance", "transactions", "invoices", "invoice", "invoices-zip", "deposit", "all-balances"],
)
def test_a_limited_member_gets_none_of_the_accounts_money(read, limited, owner) -> None:
    with pytest.raises(NotAllowed, match="limited to chosen servers") as refused:
        read(limited)
    assert "whole VPSBG account" in refused.value.message


def test_a_limited_member_lists_only_the_orders_about_their_servers(limited, owner) -> None:
    everything = _all_orders(owner, ALPHA)
    assert any(o.type == "deposit" for o in everything) and any(2869 in _servers_of(o) for o in everything)
    mine = billing.orders_list(actor=limited, account=ALPHA, per_page=50).items
    assert mine and len(mine) < len(everything)
    for item in mine:
        assert _servers_of(billing.orders_get(actor=limited, order=f"{ALPHA}:{item.id}")) == {2864}
    listed = {o.id for o in mine}
    assert listed == {o.id for o in everything if _servers_of(o) == {2864}}


def test_an_order_about_another_server_or_money_is_missing_for_a_limited_member(limited, owner) -> None:
    hidden = [o for o in _all_orders(owner, ALPHA) if _servers_of(o) != {2864}]
    assert {o.type for o in hidden} >= {"deposit", "renew-service"}
    for order in hidden:
        with pytest.raises(NotFoundError):
            billing.orders_get(actor=limited, order=f"{ALPHA}:{order.id}")


def test_orders_of_an_account_without_their_servers_are_all_missing(member, owner) -> None:
    alpha_only = member(Role.BILLING, scope=[f"{ALPHA}:2864"])
    assert billing.orders_list(actor=owner, account=BETA).items
    assert billing.orders_list(actor=alpha_only, account=BETA).items == []


def test_an_unlimited_member_still_sees_everything(owner, member) -> None:
    viewer = member(Role.VIEWER)
    assert billing.balance_get(actor=viewer, account=ALPHA).balance is not None
    assert len(billing.orders_list(actor=viewer, account=ALPHA).items) == len(
        billing.orders_list(actor=owner, account=ALPHA).items
    )
