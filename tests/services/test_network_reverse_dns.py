"""Reverse DNS: the write drops the cached reads that embed the address (its server's page above all).

A fault added after the write proves whether a read went upstream again or came from the cache.
"""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.core.errors import InvalidInput, NotAllowed, UpstreamUnavailable
from panel.services import network, servers

from .conftest import ALPHA

S2864, S2865 = f"{ALPHA}:2864", f"{ALPHA}:2865"


def _ipv4(server) -> int:
    return next(ip.id for ip in server.ip_addresses or [] if ip.version == 4)


def test_the_servers_next_read_shows_the_new_reverse_dns(owner, tokens, simulator) -> None:
    before = servers.servers_get(actor=owner, server=S2864)  # now cached
    ip_id = _ipv4(before)
    network.ip_addresses_update(actor=owner, ip_address=f"{ALPHA}:{ip_id}", ptr="mail.example.com")
    after = servers.servers_get(actor=owner, server=S2864)
    assert next(ip.ptr for ip in after.ip_addresses or [] if ip.id == ip_id) == "mail.example.com"


def test_naming_the_server_drops_only_that_servers_reads(owner, tokens, simulator) -> None:
    ip_id = _ipv4(servers.servers_get(actor=owner, server=S2864))
    servers.servers_get(actor=owner, server=S2865)
    network.ip_addresses_update(
        actor=owner, ip_address=f"{ALPHA}:{ip_id}", ptr="www.example.com", server=S2864
    )
    simulator.sim.faults.add(operation="servers_get", status=503)
    servers.servers_get(actor=owner, server=S2865)  # another server's read survives
    with pytest.raises(UpstreamUnavailable):
        servers.servers_get(actor=owner, server=S2864)


def test_an_address_of_another_server_is_refused(owner, tokens, simulator, events) -> None:
    ip_id = _ipv4(servers.servers_get(actor=owner, server=S2864))
    with pytest.raises(InvalidInput) as refused:
        network.ip_addresses_update(actor=owner, ip_address=f"{ALPHA}:{ip_id}", ptr="x.example", server=S2865)
    assert "does not belong" in refused.value.fields["ptr"][0]
    assert events("ip_addresses_update") == []


def test_a_member_limited_to_the_server_may_set_its_reverse_dns(member, tokens, simulator, events) -> None:
    operator = member(Role.OPERATOR, scope=[S2864])
    ip_id = _ipv4(servers.servers_get(actor=operator, server=S2864))
    with pytest.raises(NotAllowed):  # without the server, it is an account-wide write
        network.ip_addresses_update(actor=operator, ip_address=f"{ALPHA}:{ip_id}", ptr="a.example.com")
    network.ip_addresses_update(
        actor=operator, ip_address=f"{ALPHA}:{ip_id}", ptr="a.example.com", server=S2864
    )
    assert [e.outcome for e in events("ip_addresses_update")] == ["denied", "ok"]
