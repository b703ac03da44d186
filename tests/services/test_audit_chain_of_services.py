"""Events written by the services are chained: tampering with one row is reported."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from panel.services import servers
from tests.audit.conftest import raw_sql

from .conftest import ALPHA


def test_tampering_with_a_service_event_is_reported_by_verify_audit_chain(owner, tokens, events) -> None:
    for server in (2864, 2865, 2866):
        servers.servers_restart(actor=owner, server=f"{ALPHA}:{server}")
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert out.getvalue().startswith("ok: 3 events verified")
    victim = events("servers_restart")[1]
    raw_sql("UPDATE audit_auditevent SET outcome = 'denied' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_chain", stdout=StringIO())
    assert f"event id {victim.pk}" in str(error.value) and "altered" in str(error.value)


def test_an_event_names_a_server_by_the_hostname_last_seen(owner, tokens) -> None:
    from panel.audit.models import AuditEvent
    from panel.services import servers

    from .conftest import ALPHA

    servers.servers_get(actor=owner, server=f"{ALPHA}:2866")
    servers.servers_restart(actor=owner, server=f"{ALPHA}:2866")
    event = AuditEvent.objects.get(operation_id="servers_restart")
    assert event.target_id == f"{ALPHA}:2866" and event.target_label == "web-02.alpha.example"
