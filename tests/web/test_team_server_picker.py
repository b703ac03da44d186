"""Limiting a member to servers by ticking them in the team's server list (not by typing ids)."""

from __future__ import annotations

from django.urls import reverse

from panel.accounts.roles import Role
from tests.factories import MembershipFactory

from .conftest import BETA_WEB, UBUNTU


def test_admin_ticks_servers_from_every_account(web_team, member_of) -> None:
    admin = member_of(Role.ADMIN)
    operator = MembershipFactory(team=web_team, role=Role.OPERATOR, server_scope=[UBUNTU, "gone@x.example:7"])
    url = reverse("accounts:member_servers", args=[operator.pk])
    page = admin.get(url).content.decode()
    assert "ubuntu-2gb" in page and "beta-web.example" in page  # both VPSBG accounts listed
    assert f'value="{UBUNTU}" id="srv-1" checked' in page
    assert page.count(" checked") == 1  # only the server already in scope is ticked
    assert "gone@x.example:7" in page  # a ref VPSBG no longer lists is kept in the text field

    response = admin.post(url, {"server": [UBUNTU, BETA_WEB], "servers": ""})
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.server_scope == [UBUNTU, BETA_WEB]
    assert "Server access of" in admin.get(reverse("accounts:team")).content.decode()


def test_a_silent_account_is_a_warning_and_keeps_the_ids(web_team, simulator, member_of) -> None:
    admin = member_of(Role.ADMIN)
    operator = MembershipFactory(team=web_team, role=Role.OPERATOR, server_scope=[UBUNTU])
    simulator.sim.faults.add("servers_list", status=500)
    response = admin.get(reverse("accounts:member_servers", args=[operator.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Retry" in body and UBUNTU in body  # the scope survives in the text field


def test_operator_may_not_open_the_picker(web_team, member_of) -> None:
    operator = MembershipFactory(team=web_team, role=Role.VIEWER)
    response = member_of(Role.OPERATOR).get(reverse("accounts:member_servers", args=[operator.pk]))
    assert response.status_code == 403
