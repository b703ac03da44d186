"""Network protection reads for a member limited to chosen servers: only their servers' addresses."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.core.errors import NotFoundError
from panel.services import network, servers

from .conftest import ALPHA

WEB_01, UBUNTU = f"{ALPHA}:2865", f"{ALPHA}:2864"


def _protected_ip(owner) -> str:
    web01 = servers.servers_get(actor=owner, server=WEB_01)
    return f"{ALPHA}:{next(ip.id for ip in web01.ip_addresses or [] if ip.ddos_protected)}"


def test_a_member_limited_to_the_server_reads_its_protection(owner, member, tokens) -> None:
    ref = _protected_ip(owner)
    limited = member(Role.OPERATOR, scope=[WEB_01])
    assert network.network_protection_geo_get(actor=limited, protected_ip=ref).countries
    assert network.network_protection_whitelist_get(actor=limited, protected_ip=ref).networks
    assert network.network_protection_get(actor=limited, protected_ip=ref) is not None


@pytest.mark.parametrize("read", ["network_protection_get", "network_protection_geo_get",
                                  "network_protection_blacklist_get", "network_protection_attacks_list"])
def test_a_member_limited_to_another_server_is_told_it_does_not_exist(owner, member, tokens, read) -> None:
    ref = _protected_ip(owner)
    limited = member(Role.OPERATOR, scope=[UBUNTU])
    with pytest.raises(NotFoundError):
        getattr(network, read)(actor=limited, protected_ip=ref)
