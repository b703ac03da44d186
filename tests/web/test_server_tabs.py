"""The server page in tabs: a tab list, each tab with its own actions, a red danger zone set apart,
links that work without JavaScript, and only the open tab's data read from VPSBG."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.web.server_tabs import ACTION_PLACES, TABS
from panel.web.views.server_actions import ACTIONS
from tests.web.conftest import UBUNTU, server_tabs

pytestmark = pytest.mark.django_db


def url(name: str, ref: str = UBUNTU) -> str:
    return reverse(f"web:{name}", kwargs={"ref": ref})


def _selected(body: str) -> list[str]:
    return re.findall(r'id="tab-(\w+)" role="tab"\s+aria-selected="true"', body)


def test_the_page_has_a_tab_list_with_every_tab_and_one_selected(web_team, member_of) -> None:
    body = member_of(Role.VIEWER).get(url("server_detail")).content.decode()
    assert 'role="tablist"' in body and 'role="tabpanel"' in body
    labels = re.findall(r'role="tab"[^>]*>([^<]+)</a>', body)
    assert labels == [label for _, label in TABS]
    assert _selected(body) == ["overview"]
    assert body.count('aria-selected="false"') == len(TABS) - 1
    for name, _ in TABS[1:]:  # real links: each tab opens without JavaScript
        assert f'href="{url("server_detail")}?tab={name}"' in body


def test_each_tab_opens_selected_and_an_unknown_one_is_the_overview(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    for name, label in TABS:
        response = browser.get(url("server_detail"), {"tab": name})
        assert response.status_code == 200, name
        assert _selected(response.content.decode()) == [name]
    assert _selected(browser.get(url("server_detail"), {"tab": "nope"}).content.decode()) == ["overview"]


def test_each_tab_offers_its_own_actions(web_team, member_of) -> None:
    admin = member_of(Role.ADMIN)
    expected = {
        "overview": ["server_restart", "server_stop"],
        "networking": ["server_reverse_dns", "server_attach_floating_ip"],
        "snapshots": ["server_snapshot", "server_restore"],
        "power": ["server_restart", "server_power_off"],
        "rescue": ["server_rescue_on", "server_password", "server_isos"],
        "rebuild": ["server_reinstall", "server_scale"],
        "settings": ["server_hostname", "server_ssh_keys", "server_buy_addon"],
        "danger": ["server_cancel"],
    }
    for tab, names in expected.items():
        body = server_tabs(admin, UBUNTU, tab)
        for name in names:
            assert url(name) in body, (tab, name)
    assert url("server_cancel") not in server_tabs(admin, UBUNTU, "overview", "rebuild", "settings")


def test_the_danger_zone_holds_the_cancellation_in_red_set_apart(web_team, member_of) -> None:
    body = server_tabs(member_of(Role.ADMIN), UBUNTU, "danger")
    assert 'class="tab tab-danger"' in body  # the tab itself is red and pushed to the end
    panel = body[body.index('id="tab-panel"') :]
    assert "danger-zone" in body[body.index('id="tab-panel"') - 200 : body.index('id="tab-panel"') + 100]
    link = re.search(rf'<a href="{re.escape(url("server_cancel"))}" role="button" class="([^"]+)">', panel)
    assert link and link.group(1) == "danger-outline" and "Cancel the server" in panel


def test_a_viewer_sees_the_danger_zone_without_actions(web_team, member_of) -> None:
    body = server_tabs(member_of(Role.VIEWER), UBUNTU, "danger")
    assert url("server_cancel") not in body and "Nothing here for your role." in body


def test_every_action_has_a_tab(web_team) -> None:
    assert set(ACTION_PLACES) == {action.slug for action in ACTIONS}
    assert {tab for tab, _ in ACTION_PLACES.values()} <= {name for name, _ in TABS}


def test_a_tab_link_under_htmx_swaps_the_tabs_only(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(
        url("server_detail"),
        {"tab": "networking"},
        headers={"HX-Request": "true", "HX-Target": "server-tabs"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="server-tabs">') and "<html" not in body
    assert _selected(body) == ["networking"] and "IP addresses" in body
    assert 'hx-target="#server-tabs"' in body and 'hx-push-url="' in body
    assert "HX-Request" in response["Vary"]


def test_the_overview_reads_only_the_server_and_its_state(web_team, simulator, member_of) -> None:
    browser = member_of(Role.VIEWER)
    simulator.sim.calls.clear()
    assert browser.get(url("server_detail")).status_code == 200
    assert set(simulator.sim.calls) <= {"servers_get", "servers_status"}
    simulator.sim.calls.clear()
    browser.get(url("server_detail"), {"tab": "snapshots"})
    assert {"snapshots_list", "backups_list"} <= set(simulator.sim.calls)
    assert not {"isos_list", "ssh_keys_list", "floating_ips_list"} & set(simulator.sim.calls)


def test_a_form_with_errors_comes_back_on_its_tab(web_team, member_of) -> None:
    response = member_of(Role.OPERATOR).post(url("server_hostname"), {"hostname": "bad host!"})
    assert response.status_code == 422
    assert _selected(response.content.decode()) == ["settings"]


def test_after_a_write_without_javascript_the_same_tab_opens(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    keys = re.findall(
        r'name="ssh_keys" value="(\d+)"',
        browser.get(url("server_detail"), {"tab": "settings"}).content.decode(),
    )
    response = browser.post(url("server_ssh_keys"), {"ssh_keys": keys[:1]})
    assert response["Location"] == f"{url('server_detail')}?tab=settings"
    response = browser.post(url("server_restart"), {"tab": "power"})  # a power button on the Power tab
    assert response["Location"] == f"{url('server_detail')}?tab=power"


def test_a_confirmation_page_goes_back_to_the_tab_of_its_action(web_team, member_of) -> None:
    admin = member_of(Role.ADMIN)
    body = admin.get(url("server_reinstall")).content.decode()
    assert (
        f'<a href="{url("server_detail")}?tab=rebuild" role="button" class="secondary outline">Back</a>'
        in body
    )
    response = admin.post(url("server_cancel"), {"confirm_hostname": "ubuntu-2gb"})
    assert response["Location"] == f"{url('server_detail')}?tab=danger"  # where it can be withdrawn
