"""Arguments at the edges: left-out ISO slots, lists given as strings, files in the audit log."""

from __future__ import annotations

import pytest

from panel.core.errors import InvalidInput
from panel.services import servers, support

from .conftest import ALPHA


def test_modify_isos_leaves_out_what_is_not_given(owner, tokens, events, simulator) -> None:
    servers.servers_modify_isos(actor=owner, server=f"{ALPHA}:2864", primary_iso_id=1)
    [event] = events("servers_modify_isos")
    assert event.outcome == "ok"
    assert event.params == {"id": 2864, "primary_iso_id": 1}  # the secondary slot was left alone
    assert simulator.sim.state.coll("servers")["2864"]


@pytest.mark.parametrize("value", ["ops@alpha.example:2864", [], None])
def test_renew_needs_a_real_list_of_servers(owner, tokens, value) -> None:
    with pytest.raises(InvalidInput) as error:
        servers.servers_calculate_renew(actor=owner, servers=value, billing_cycle=3)
    assert "servers" in error.value.fields


def test_uploaded_files_are_named_not_stored_in_the_audit_log(owner, tokens, events) -> None:
    content = b"secret log line that must not be in the audit table\n"
    support.support_tickets_reply(
        actor=owner, ticket=f"{ALPHA}:216", message="See log.", attachments=[("log.txt", content)]
    )
    [event] = events("support_tickets_reply")
    assert event.params["attachments"] == [{"name": "log.txt", "size": len(content)}]
