"""Network protection of one address: overview, traffic, attacks, blocked IPs, and its filters."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.core.errors import InvalidInput
from panel.web.views.network import _apply_upstream_errors, chart_payload
from tests.web.conftest import ALPHA, UBUNTU

pytestmark = pytest.mark.django_db

SHIELD = f"{ALPHA}:404"  # web-01's DDoS-protected address in the simulator's seed (87.121.52.15)
ADDRESS = "87.121.52.15"
ATTACK = "Ws8PeaCFn4bZ4Rf"


def url(name: str, ref: str = SHIELD, **extra: str) -> str:
    return reverse(f"web:{name}", kwargs={"ref": ref, **extra})


def _events(operation_id: str) -> list[str]:
    return [e.outcome for e in AuditEvent.objects.filter(operation_id=operation_id)]


def test_the_network_page_links_the_protection(web_team, member_of) -> None:
    body = member_of(Role.VIEWER).get(reverse("web:network"), {"account": ALPHA}).content.decode()
    assert url("network_protection") in body


def test_viewer_sees_every_section_and_no_editor(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(url("network_protection"))
    body = response.content.decode()
    assert response.status_code == 200
    assert ADDRESS in body and "web-01.alpha.example" in body  # overview: what it protects
    assert url("network_protection_bandwidth") in body  # the traffic chart
    assert "PPS threshold 50.000k is exceeded" in body  # attacks
    assert url("network_attack", attack_id=ATTACK) in body
    assert "Blocked IPs" in body and "198.51.100." in body
    assert "BG, DE, NL" in body and "100.100.100.0/24" in body and "203.0.113.0/24" in body
    assert "/geo/" not in body and "/whitelist/" not in body and "/blacklist/" not in body


def test_admin_gets_the_editors(web_team, member_of) -> None:
    body = member_of(Role.ADMIN).get(url("network_protection")).content.decode()
    for name in ("network_geo_update", "network_geo_delete", "network_whitelist_set",
                 "network_whitelist_update", "network_blacklist_delete"):  # fmt: skip
        assert url(name) in body
    assert url("network_geo_set") not in body  # a filter exists: it is changed, not created


def test_each_section_fails_on_its_own(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("network_protection_geo_get", status=500)
    simulator.sim.faults.add("network_protection_attacks_list", status=503)
    response = member_of(Role.VIEWER).get(url("network_protection"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("VPSBG unavailable") == 2 and "Retry" in body
    assert "100.100.100.0/24" in body and "web-01.alpha.example" in body


def test_another_teams_protection_is_404(web_team, other_team, member_of) -> None:
    outsider = member_of(Role.OWNER, other_team)
    assert outsider.get(url("network_protection")).status_code == 404
    assert outsider.get(url("network_protection_bandwidth")).status_code == 404
    assert member_of(Role.VIEWER).get(url("network_protection", f"{ALPHA}:999999")).status_code == 404


# -- charts ----------------------------------------------------------------------------------------
def test_traffic_chart_data(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    data = browser.get(url("network_protection_bandwidth")).json()
    assert data["x"] and [c["title"] for c in data["charts"]] == ["Traffic", "Packets per second"]
    assert data["charts"][0]["unit"] == "Mbps"
    assert {s["label"] for s in data["charts"][0]["series"]} == {"Incoming", "Outgoing"}
    assert (
        len(browser.get(url("network_protection_bandwidth"), {"days": "7"}).json()["x"]) > len(data["x"]) / 2
    )
    assert browser.get(url("network_protection_bandwidth"), {"days": "5"}).status_code == 400


def test_traffic_chart_upstream_failure_is_a_message(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("network_protection_bandwidth", status=500)
    response = member_of(Role.VIEWER).get(url("network_protection_bandwidth"))
    assert response.status_code == 200 and "VPSBG unavailable" in response.json()["error"]


def test_chart_payload_reads_iso_times_and_refuses_unknown_shapes() -> None:
    payload = chart_payload(
        {"data": [{"time": "2025-01-01T00:05:00Z", "in": 2}, {"time": "2025-01-01T00:00:00Z", "in": 1}]}, "T"
    )
    assert payload["x"] == [1735689600, 1735689900] and payload["charts"][0]["series"][0]["data"] == [1, 2]
    with pytest.raises(ValueError):
        chart_payload({"data": "nope"}, "T")


def test_attack_page_and_its_chart(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    response = browser.get(url("network_attack", attack_id=ATTACK))
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "CHINANET-BACKBONE" in body
        and "UDP" in body
        and url("network_attack_bandwidth", attack_id=ATTACK) in body
    )
    data = browser.get(url("network_attack_bandwidth", attack_id=ATTACK)).json()
    assert data["x"] and data["charts"][0]["title"] == "Traffic during the attack"
    assert browser.get(url("network_attack", attack_id="nope")).status_code == 404


def test_attack_upstream_failure_is_friendly(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("network_protection_attack_get", status=500)
    response = member_of(Role.VIEWER).get(url("network_attack", attack_id=ATTACK))
    assert response.status_code == 200 and "Retry" in response.content.decode()


# -- geo filter ------------------------------------------------------------------------------------
def test_geo_filter_change_refuses_unknown_countries_next_to_the_field(web_team, member_of) -> None:
    response = member_of(Role.ADMIN).post(
        url("network_geo_update"), {"action": "deny", "countries": "bg, XX, germany"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Not ISO 3166-1 country codes: “XX”, “GERMANY”" in body
    assert 'value="bg, XX, germany"' in body  # what the person typed stays
    assert _events("network_protection_geo_update") == []


def test_geo_filter_change_then_delete(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    response = browser.post(
        url("network_geo_update"), {"action": "deny", "countries": "cn ru", "reason": "attacks"}, follow=True
    )
    body = response.content.decode()
    assert "Geo filter changed." in body and "traffic from CN, RU is dropped" in body
    assert _events("network_protection_geo_update") == ["ok"]
    page = browser.get(url("network_geo_delete")).content.decode()
    assert "CN, RU" in page and f"Type “{ADDRESS}”" in page
    assert browser.post(url("network_geo_delete"), {"confirm": "1.2.3.4"}).status_code == 422
    response = browser.post(url("network_geo_delete"), {"confirm": ADDRESS}, follow=True)
    assert "No geo filter" in response.content.decode()
    assert _events("network_protection_geo_delete") == ["ok"]
    body = browser.get(url("network_protection")).content.decode()
    assert url("network_geo_set") in body  # now it can be created again
    response = browser.post(url("network_geo_set"), {"action": "allow", "countries": "BG"}, follow=True)
    assert "Geo filter created." in response.content.decode()
    assert _events("network_protection_geo_set") == ["ok"]


def test_geo_write_upstream_failure_keeps_the_form(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("network_protection_geo_update", status=500)
    response = member_of(Role.ADMIN).post(url("network_geo_update"), {"action": "allow", "countries": "NL"})
    assert response.status_code == 422 and "VPSBG unavailable" in response.content.decode()
    assert _events("network_protection_geo_update") == ["failed"]


# -- whitelist and blacklist -----------------------------------------------------------------------
def test_list_errors_name_the_bad_lines(web_team, member_of) -> None:
    response = member_of(Role.ADMIN).post(
        url("network_whitelist_set"), {"networks": "10.0.0.1\nnot-an-ip\n10.0.0.1/8"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Line 2: “not-an-ip” is not an IP address" in body
    assert "Line 3: “10.0.0.1/8” has host bits set; did you mean 10.0.0.0/8?" in body
    assert _events("network_protection_whitelist_set") == []


def test_replace_add_switch_off_and_delete_a_list(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    response = browser.post(
        url("network_blacklist_set"), {"networks": "192.0.2.7\n198.51.100.0/24\n"}, follow=True
    )
    body = response.content.decode()
    assert "Blacklist replaced." in body and "192.0.2.7/32" in body and "203.0.113.0/24" not in body
    response = browser.post(
        url("network_blacklist_update"), {"networks": "192.0.2.9", "active": "off"}, follow=True
    )
    body = response.content.decode()
    assert "Blacklist changed." in body and "192.0.2.9/32" in body and "192.0.2.7/32" in body
    assert _events("network_protection_blacklist_set") == ["ok"]
    assert _events("network_protection_blacklist_update") == ["ok"]
    assert browser.post(url("network_blacklist_update"), {"networks": ""}).status_code == 422
    response = browser.post(
        url("network_blacklist_delete"), {"confirm": ADDRESS, "reason": "reset"}, follow=True
    )
    assert "The blacklist of 87.121.52.15 is deleted." in response.content.decode()
    assert AuditEvent.objects.get(operation_id="network_protection_blacklist_delete").reason == "reset"


def test_delete_page_with_upstream_trouble_is_friendly(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("network_protection_get", status=500)
    response = member_of(Role.ADMIN).get(url("network_whitelist_delete"))
    assert response.status_code == 200 and "Retry" in response.content.decode()


def test_a_member_limited_to_servers_may_not_change_filters(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    browser.membership.server_scope = [f"{ALPHA}:2865"]  # web-01, whose address this is
    browser.membership.save()
    assert browser.get(url("network_protection")).status_code == 200  # may look...
    response = browser.post(url("network_whitelist_set"), {"networks": "192.0.2.1"})
    assert response.status_code == 403 and "limited" in response.content.decode()  # ...not change
    assert _events("network_protection_whitelist_set") == ["denied"]


def test_another_servers_protection_is_missing_for_a_limited_member(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    assert browser.get(url("network_protection")).status_code == 404
    # A write is refused before anything is read, alike for every address: nothing is learnt.
    assert browser.post(url("network_whitelist_set"), {"networks": "192.0.2.1"}).status_code == 403
    assert _events("network_protection_whitelist_set") == ["denied"]


def test_vpsbg_field_errors_name_the_entry_they_refused() -> None:
    class Form(forms.Form):
        networks = forms.CharField()

    form = Form({"networks": "x"})
    form.is_valid()
    exc = InvalidInput(fields={"networks.1": ["The network must be an IP address or CIDR block."]})
    _apply_upstream_errors(form, exc, {"networks": ["192.0.2.1/32", "bad"]})
    assert form.errors["networks"] == ["“bad”: The network must be an IP address or CIDR block."]
