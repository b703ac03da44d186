"""The deploy kind against the reference: every source (image, snapshot, backup, ISO), addons and
the promo code reach VPSBG's order, and bad addon values are refused before anything is ordered."""

from __future__ import annotations

import pytest

from panel.core.errors import InvalidInput
from panel.operations import services
from panel.operations.models import Operation, State
from panel.services import servers

from .conftest import ALPHA, run_to_end


def start(actor, **params) -> Operation:
    return services.start(actor=actor, kind="deploy", params={"account": ALPHA, **params})


BASE = {"name": "kind-01.example.com", "plan": "cloud-vps-2gb", "billing_cycle": 3}


def test_iso_alone_is_a_source(owner, tokens, sleeps, calls) -> None:
    op = run_to_end(start(owner, **BASE, primary_iso_id=101))
    assert op.state == State.SUCCEEDED, op.error
    assert calls("servers_deploy") == 1 and op.data["servers"]


def test_addons_and_promo_code_reach_the_order(owner, tokens, sleeps) -> None:
    op = run_to_end(
        start(
            owner,
            **BASE,
            image_id=73,
            cpanel="cpanel-admin-5",
            bandwidth="100mbps-unmetered",
            promo_code="fall2403",
        )
    )
    assert op.state == State.SUCCEEDED, op.error
    server = servers.servers_get(actor=owner, server=op.data["servers"][0])
    names = {a.name for a in server.addons or []}
    assert {"cpanel-admin-5", "100mbps-unmetered"} <= names
    assert server.promo_code == "fall2403"


def test_windows_licences_reach_the_order(owner, tokens, sleeps) -> None:
    op = run_to_end(start(owner, **BASE, image_id=100, microsoft_rds_sal=2))
    assert op.state == State.SUCCEEDED, op.error
    server = servers.servers_get(actor=owner, server=op.data["servers"][0])
    assert "microsoft-rds-sal" in {a.name for a in server.addons or []}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"image_id": 73, "cpanel": "cpanel-free"}, "cpanel"),
        ({"image_id": 73, "bandwidth": "10gbps-unmetered"}, "bandwidth"),
        ({}, "image_id"),
    ],
)
def test_bad_addons_or_no_source_are_refused(owner, tokens, params, field) -> None:
    with pytest.raises(InvalidInput) as caught:
        start(owner, **BASE, **params)
    assert field in caught.value.fields
    assert not Operation.objects.exists()


def test_several_names_deploy_one_order_of_several_servers(owner, tokens, sleeps, calls, simulator) -> None:
    names = ["kind-01.example.com", "kind-02.example.com", "kind-03.example.com"]
    op = run_to_end(start(owner, **{**BASE, "name": names}, image_id=73))
    assert op.state == State.SUCCEEDED, op.error
    assert calls("servers_deploy") == 1 and op.target_label == "3 new servers"
    hostnames = {
        simulator.sim.state.coll("servers")[ref.rpartition(":")[2]]["hostname"] for ref in op.data["servers"]
    }
    assert hostnames == set(names)


def test_secondary_iso_reaches_the_vpsbg_call(owner, tokens, sleeps, calls, simulator) -> None:
    op = run_to_end(start(owner, **BASE, primary_iso_id=101, secondary_iso_id=2))
    assert op.state == State.SUCCEEDED, op.error
    assert calls("servers_deploy") == 1
    server_id = op.data["servers"][0].rpartition(":")[2]
    assert simulator.sim.state.coll("servers")[server_id]["_isos"] == [101, 2]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"primary_iso_id": 101, "secondary_iso_id": 101}, "secondary_iso_id"),
        ({"image_id": 73, "name": ["kind-01.example.com", "KIND-01.example.com"]}, "name"),
        ({"image_id": 73, "name": [f"kind-{i}.example.com" for i in range(11)]}, "name"),
    ],
)
def test_same_isos_or_repeated_or_too_many_names_are_refused(owner, tokens, params, field) -> None:
    with pytest.raises(InvalidInput) as caught:
        start(owner, **{**BASE, **params})
    assert field in caught.value.fields
    assert not Operation.objects.exists()
