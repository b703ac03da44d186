"""The client over real HTTP against the bundled simulator: what a panel user would live through.

A frozen simulator clock stands in for waiting: `sim.advance(seconds)` ends long actions.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vpsbg_api import Client, Locked, PermissionDenied, RateLimited, RetryPolicy
from vpsbg_api.models import Server
from vpsbg_api.simulator.testing import RunningSimulator, running_simulator

ACTION_SECONDS = 5.0


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(action_seconds=ACTION_SECONDS, balance=1.0) as running:
        yield running


def client_for(sim: RunningSimulator, token: str = "alpha_rw", **kwargs: object) -> Client:
    kwargs.setdefault("retry", RetryPolicy(max_attempts=1))
    return Client(sim.tokens[token], base_url=sim.base_url, **kwargs)  # type: ignore[arg-type]


def idle_server(client: Client) -> Server:
    for server in client.servers.iter_all(per_page=10):
        if server.status == "active" and not server.locked:
            return server
    raise AssertionError("the demo seed has no idle active server")


def test_reinstall_locks_the_server_until_it_is_done(sim: RunningSimulator) -> None:
    with client_for(sim) as client:
        server = idle_server(client)
        image = next(i for i in client.server_images.list() if not i.eol)
        client.servers.reinstall(server.id, image_id=image.id, password="a-long-password-1")
        assert client.servers.get(server.id).locked is True

        with pytest.raises(Locked) as info:
            client.servers.update_hostname(server.id, hostname="busy.example.net")
        assert info.value.status == 423
        assert info.value.operation_id == "servers_update_hostname"
        with pytest.raises(Locked):
            client.servers.reinstall(server.id, image_id=image.id)

        sim.advance(ACTION_SECONDS + 1)
        done = client.servers.get(server.id)
        assert done.locked is False
        assert done.server_image is not None and done.server_image.id == image.id
        assert (
            client.servers.update_hostname(server.id, hostname="done.example.net").hostname
            == "done.example.net"
        )


def test_read_only_token_reads_but_every_write_is_permission_denied(sim: RunningSimulator) -> None:
    with client_for(sim, "alpha_ro") as client:
        server = idle_server(client)
        before = client.balance.get().balance
        for write in (
            lambda: client.servers.start(server.id),
            lambda: client.servers.reinstall(server.id, image_id=73),
            lambda: client.orders.pay(ids=[1]),
            lambda: client.ssh_keys.create(name="k", key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3x u@h"),
        ):
            with pytest.raises(PermissionDenied) as info:
                write()
            assert info.value.status == 403
        assert client.balance.get().balance == before
        assert client.servers.get(server.id).locked is False


def test_purchase_deposit_and_pay_add_up_in_orders_and_balance(sim: RunningSimulator) -> None:
    with client_for(sim) as client:
        start = client.balance.get().balance
        waiting_before = {o.id for o in client.orders.iter_all(status="awaiting_payment")}

        bought = client.floating_ips.purchase(billing_cycle=1, ipv4=1)
        assert len(bought) == 1
        new = [o for o in client.orders.iter_all(status="awaiting_payment") if o.id not in waiting_before]
        assert len(new) == 1, "the purchase waits for payment: the balance cannot cover it"
        order = new[0]
        assert order.amount_with_vat and order.amount_with_vat > start
        assert client.balance.get().balance == start

        deposit = client.balance.deposit(amount=10, payment_method="card")
        assert deposit.status == "paid" and deposit.amount_with_vat
        assert client.balance.get().balance == pytest.approx(start + deposit.amount_with_vat)

        client.orders.pay(ids=[order.id])
        assert client.orders.get(order.id).status == "paid"
        assert client.balance.get().balance == pytest.approx(
            start + deposit.amount_with_vat - order.amount_with_vat, abs=0.005
        )
        invoiced = [inv for inv in client.invoices.iter_all() if order.id in (inv.order_ids or [])]
        assert invoiced, "a paid order has an invoice"
        pdf = client.invoices.download(invoiced[0].id)
        assert pdf.content.startswith(b"%PDF")
        assert pdf.content_type == "application/pdf"


def test_rate_limit_beyond_the_ceiling_is_raised_not_slept() -> None:
    waits: list[float] = []
    with running_simulator(action_seconds=ACTION_SECONDS, rate_limit=2) as limited:
        retry = RetryPolicy(max_attempts=3, ceiling=0.5, sleep=waits.append)
        with Client(limited.tokens["alpha_rw"], base_url=limited.base_url, retry=retry) as client:
            client.balance.get()
            client.balance.get()
            with pytest.raises(RateLimited) as info:
                client.balance.get()
    assert info.value.retry_after is not None and info.value.retry_after > 0.5
    assert waits == []
