"""Through the API too, another team's denied calls on our servers name none of our hostnames."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent

from .conftest import ALPHA, store_vault_token

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_denied_calls_on_another_teams_servers_record_none_of_its_hostnames(
    role, api, vault, other_team, simulator
) -> None:
    listed = api(Role.OWNER).get("/api/v1/team/servers").json()["data"]  # the process learns A's names
    hostnames = {item["server"]["hostname"] for item in listed if item["server"]["hostname"]}
    assert "web-02.alpha.example" in hostnames
    store_vault_token(other_team, simulator, "beta_rw")  # B holds an account of its own (not alpha)
    outsider = api(role, in_team=other_team)
    for server_id in range(2860, 2960, 3):
        response = outsider.post(f"/api/v1/servers/{ALPHA}:{server_id}/start", {}, format="json")
        assert response.status_code in (403, 404)
    events = list(AuditEvent.objects.filter(team=other_team))
    text = " ".join(f"{e.target_label} {e.reason} {e.params}" for e in events)
    assert not [name for name in hostnames if name in text]
    exported = api(Role.OWNER, in_team=other_team).get("/api/v1/audit").content.decode()
    assert not [name for name in hostnames if name in exported]
