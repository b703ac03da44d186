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
