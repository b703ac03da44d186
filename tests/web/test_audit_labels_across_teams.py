"""Another team's denied calls on our servers never put our hostnames into their audit log.

Hostnames are learnt from VPSBG's answers in the process that serves every team; a denial is
audited with a label for its target, which may only come from what the acting team may see.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.services import aggregates
from tests.factories import MembershipFactory

from .conftest import ALPHA, BETA, store_token

pytestmark = pytest.mark.django_db

IDS = range(2860, 2960, 3)  # a sweep over ids, some of them the other team's servers


def _hostnames_learnt_by(team) -> set[str]:
    """Team A's owner opens the server list: the process now knows A's hostnames."""
    owner = MembershipFactory(team=team, role=Role.OWNER)
    servers = aggregates.servers_list_all(actor=owner).items
    names = {item.server.hostname for item in servers if item.server.hostname}
    assert {"web-02.alpha.example", "beta-web.example"} <= names
    return names


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_denied_calls_on_another_teams_servers_record_none_of_its_hostnames(
    role, web_team, other_team, simulator, member_of
) -> None:
    hostnames = _hostnames_learnt_by(web_team)
    store_token(other_team, simulator, "beta_rw")  # B holds an account of its own (not alpha)
    browser = member_of(role, other_team)
    for server_id in IDS:
        response = browser.post(reverse("web:server_start", kwargs={"ref": f"{ALPHA}:{server_id}"}))
        assert response.status_code in (403, 404)
    events = AuditEvent.objects.filter(team=other_team, outcome="denied")
    assert events.exists()  # the attempts are in B's log...
    labels = " ".join(f"{e.target_label} {e.reason} {e.target_display}" for e in events)
    assert not [name for name in hostnames if name in labels]  # ...without a hostname of A's
    export = member_of(Role.OWNER, other_team).get(reverse("audit:export_csv"))
    text = b"".join(export.streaming_content if export.streaming else [export.content]).decode()
    assert f"{ALPHA}:2866" in text or role not in (Role.OWNER, Role.ADMIN, Role.OPERATOR)
    assert not [name for name in hostnames if name in text]


def test_a_team_holding_the_account_still_names_the_server_by_its_hostname(
    web_team, simulator, member_of
) -> None:
    _hostnames_learnt_by(web_team)
    browser = member_of(Role.OPERATOR)
    browser.post(reverse("web:server_start", kwargs={"ref": f"{BETA}:2950"}))
    event = AuditEvent.objects.get(team=web_team, operation_id="servers_start")
    assert event.target_id == f"{BETA}:2950" and event.target_label == "beta-web.example"
