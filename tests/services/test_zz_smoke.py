import pytest
from panel.services import servers, aggregates, billing, account
from tests.services.conftest import ALPHA, BETA

def test_smoke(owner, tokens, simulator, events):
    s = servers.servers_get(actor=owner, server=f"{ALPHA}:2864")
    print(s.hostname)
    agg = aggregates.servers_list_all(actor=owner)
    print(len(agg.items), agg.warnings)
    print(aggregates.balances_all(actor=owner))
    servers.servers_restart(actor=owner, server=f"{ALPHA}:2864", reason="test")
    print(events("servers_restart")[0].__dict__)
