"""One server's page: overview, power state, addresses, charts data, trail; upstream trouble."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from tests.web.conftest import ALPHA, UBUNTU, WEB_02, server_tabs

pytestmark = pytest.mark.django_db


def url(name: str, ref: str = UBUNTU) -> str:
    return reverse(f"web:{name}", kwargs={"ref": ref})


def test_viewer_sees_the_server_but_no_write_actions(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(url("server_detail"))
    assert response.status_code == 200
    body = server_tabs(member_of(Role.VIEWER))
    assert "ubuntu-2gb" in body and "Running" in body
    assert "87.121." in body or "IP addresses" in body
    for action in ("server_restart", "server_stop", "server_hostname", "server_reverse_dns", "server_isos"):
        assert url(action) not in body, action
    assert "Change hostname" not in body


def test_operator_is_offered_power_hostname_and_reverse_dns(web_team, member_of) -> None:
    body = server_tabs(member_of(Role.OPERATOR))
    for action in (
        "server_restart",
        "server_stop",
        "server_power_off",
        "server_hostname",
        "server_reverse_dns",
    ):
        assert url(action) in body, action
    assert url("server_start") not in body  # it is running already


def test_stopped_server_offers_start_only(web_team, member_of) -> None:
    body = member_of(Role.OPERATOR).get(url("server_detail", WEB_02)).content.decode()
    assert url("server_start", WEB_02) in body
    assert url("server_restart", WEB_02) not in body


def test_charts_point_at_their_json_endpoints(web_team, member_of) -> None:
    body = member_of(Role.VIEWER).get(url("server_detail"), {"tab": "graphs"}).content.decode()
    assert f'data-chart-url="{url("server_metrics")}"' in body
    assert f'data-chart-url="{url("server_bandwidth")}"' in body
    assert "<script>" not in body  # CSP: no inline scripts


def test_metrics_json(web_team, member_of) -> None:
    payload = member_of(Role.VIEWER).get(url("server_metrics")).json()
    assert payload["x"] and payload["x"] == sorted(payload["x"])
    titles = [chart["title"] for chart in payload["charts"]]
    assert titles == ["CPU", "Disk", "Network"]
    assert len(payload["charts"][0]["series"][0]["data"]) == len(payload["x"])


def test_metrics_bad_month_is_a_clear_400(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(url("server_metrics"), {"month": "13/2025"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.json()["error"]


def test_bandwidth_json_and_ranges(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    payload = browser.get(url("server_bandwidth")).json()
    assert payload["limit"] and payload["charts"][0]["title"] == "Bandwidth per day"
    assert browser.get(url("server_bandwidth"), {"days": "7"}).status_code == 200
    assert browser.get(url("server_bandwidth"), {"days": "5000"}).status_code == 400


def test_chart_upstream_error_is_a_message(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("servers_metrics", status=500)
    payload = member_of(Role.VIEWER).get(url("server_metrics")).json()
    assert "VPSBG" in payload["error"]


def test_upstream_down_renders_message_with_retry(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("servers_get", status=503)
    response = member_of(Role.VIEWER).get(url("server_detail"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in body and "Retry" in body and "VPSBG" in body


def test_rate_limit_says_when_to_retry(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("servers_get", status=429)
    body = member_of(Role.VIEWER).get(url("server_detail")).content.decode()
    assert "Retry" in body and "rate limit" in body.lower()


def test_missing_server_is_404(web_team, member_of) -> None:
    assert member_of(Role.VIEWER).get(url("server_detail", f"{ALPHA}:999999")).status_code == 404


def test_malformed_reference_is_404(web_team, member_of) -> None:
    assert member_of(Role.VIEWER).get(url("server_detail", "no-colon-here")).status_code == 404
    assert member_of(Role.VIEWER).get(url("server_detail", f"{ALPHA}:abc")).status_code == 404


def test_server_outside_scope_is_404(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    assert browser.get(url("server_detail")).status_code == 200
    assert browser.get(url("server_detail", WEB_02)).status_code == 404
    assert browser.get(url("server_metrics", WEB_02)).status_code == 404
    assert browser.post(url("server_restart", WEB_02)).status_code == 404


def test_another_teams_server_is_404(web_team, other_team, member_of) -> None:
    outsider = member_of(Role.OWNER, other_team)
    assert outsider.get(url("server_detail")).status_code == 404
    assert outsider.post(url("server_restart")).status_code == 404


def test_power_fragment_for_htmx(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(
        url("server_detail"), headers={"HX-Request": "true", "HX-Target": "power"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith("{#") is False
    assert 'id="power"' in body and "<html" not in body and "Overview" not in body
    assert "HX-Request" in response["Vary"]


def test_audit_trail_shown_to_admins_only(web_team, member_of) -> None:
    admin = member_of(Role.ADMIN)
    admin.post(url("server_restart"), {"reason": "kernel update"})
    body = server_tabs(admin, UBUNTU, "activity")
    assert "Audit trail" in body and "Restart a server" in body  # in words, not its operationId
    assert "Audit trail" not in server_tabs(member_of(Role.OPERATOR), UBUNTU, "activity")


def test_server_page_loads_the_live_progress_of_its_operation(web_team, member_of) -> None:
    body = member_of(Role.VIEWER).get(url("server_detail")).content.decode()
    progress = reverse("operations:server_progress", kwargs={"server": UBUNTU})
    assert f'hx-get="{progress}"' in body and 'hx-trigger="load"' in body


def test_a_protected_address_links_its_protection_page(web_team, member_of) -> None:
    body = server_tabs(member_of(Role.VIEWER), f"{ALPHA}:2865", "networking")
    assert f'href="/network/protection/{ALPHA}:' in body  # web-01's DDoS-protected address
    assert f'href="/network/?account={ALPHA.replace("@", "%40")}"' in body
