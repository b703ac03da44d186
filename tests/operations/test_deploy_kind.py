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
