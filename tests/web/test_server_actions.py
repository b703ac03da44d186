"""Quick writes from the server page: power, hostname, reverse DNS, ISOs, SSH keys."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from tests.web.conftest import UBUNTU, WEB_02

pytestmark = pytest.mark.django_db

HTMX_POWER = {"HX-Request": "true", "HX-Target": "power"}


def url(name: str, ref: str = UBUNTU) -> str:
    return reverse(f"web:{name}", kwargs={"ref": ref})


def test_restart_with_htmx_returns_the_power_section(web_team, member_of) -> None:
    response = member_of(Role.OPERATOR).post(url("server_restart"), {"reason": "patch"}, headers=HTMX_POWER)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Restart requested." in body and 'id="power"' in body and "<html" not in body
    event = AuditEvent.objects.get(operation_id="servers_restart")
    assert event.outcome == "ok" and event.reason == "patch" and event.target_id == UBUNTU


def test_busy_server_polls_until_done(web_team, simulator, member_of, settings) -> None:
    settings.PANEL_SERVICES_CACHE_TTL = 0  # as after the cache's time to live in real time
    browser = member_of(Role.OPERATOR)
    body = browser.post(url("server_restart"), headers=HTMX_POWER).content.decode()
    assert "Busy" in body and 'hx-trigger="every 3s"' in body
    simulator.advance(60)
    body = browser.get(url("server_detail"), headers=HTMX_POWER).content.decode()
    assert "Running" in body and "every 3s" not in body


def test_start_without_htmx_redirects_with_a_flash(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    response = browser.post(url("server_start", WEB_02), follow=True)
    assert response.redirect_chain[-1][0] == url("server_detail", WEB_02)
    assert "Start requested." in response.content.decode()


def test_viewer_may_not_stop_and_it_is_audited(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).post(url("server_stop"))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(operation_id="servers_stop", outcome="denied").exists()


def test_get_on_an_action_is_refused(web_team, member_of) -> None:
    assert member_of(Role.OPERATOR).get(url("server_restart")).status_code == 405


def test_upstream_failure_of_an_action_is_a_message(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("servers_restart", status=500)
    body = member_of(Role.OPERATOR).post(url("server_restart"), headers=HTMX_POWER).content.decode()
    assert "flash-error" in body and "VPSBG" in body


def test_hostname_change(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    response = browser.post(
        url("server_hostname"), {"hostname": "Renamed.Example.COM", "reason": ""}, follow=True
    )
    body = response.content.decode()
    assert "Hostname changed." in body and "renamed.example.com" in body


def test_bad_hostname_shows_the_error_next_to_the_field(web_team, member_of) -> None:
    response = member_of(Role.OPERATOR).post(url("server_hostname"), {"hostname": "-bad_name-"})
    body = response.content.decode()
    assert response.status_code == 422
    assert "Enter a host name" in body and 'aria-invalid="true"' in body
    assert not AuditEvent.objects.filter(operation_id="servers_update_hostname").exists()


def _first_ip_id(browser) -> int:
    import re

    body = browser.get(url("server_detail"), {"tab": "networking"}).content.decode()
    return int(re.search(r'name="ip_id" value="(\d+)"', body).group(1))


def test_reverse_dns(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    ip_id = _first_ip_id(browser)
    response = browser.post(
        url("server_reverse_dns"), {"ip_id": ip_id, "ptr": "mail.example.com"}, follow=True
    )
    body = response.content.decode()
    assert "Reverse DNS updated." in body and 'value="mail.example.com"' in body


def test_reverse_dns_of_another_servers_address_is_refused(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    response = browser.post(
        url("server_reverse_dns", WEB_02), {"ip_id": _first_ip_id(browser), "ptr": "x.example"}
    )
    assert response.status_code == 422
    assert "does not belong to the server" in response.content.decode()
    assert not AuditEvent.objects.filter(operation_id="ip_addresses_update").exists()


def test_mount_and_unmount_isos(web_team, member_of) -> None:
    import re

    browser = member_of(Role.OPERATOR)
    body = browser.get(url("server_detail"), {"tab": "rescue"}).content.decode()
    choices = re.findall(
        r'<option value="(\d+)"', body.split('name="primary_iso_id"')[1].split("</select>")[0]
    )
    assert choices, "the account's ISOs are offered"
    response = browser.post(
        url("server_isos"), {"primary_iso_id": choices[0], "secondary_iso_id": ""}, follow=True
    )
    assert "ISOs updated." in response.content.decode()
    response = browser.post(url("server_isos"), {"primary_iso_id": "", "secondary_iso_id": ""}, follow=True)
    assert "ISOs updated." in response.content.decode()
    assert AuditEvent.objects.filter(operation_id="servers_modify_isos", outcome="ok").count() == 2


def test_unknown_iso_is_a_field_error(web_team, member_of) -> None:
    response = member_of(Role.OPERATOR).post(url("server_isos"), {"primary_iso_id": "999999"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_ssh_keys_saved(web_team, member_of) -> None:
    import re

    browser = member_of(Role.OPERATOR)
    body = browser.get(url("server_detail"), {"tab": "settings"}).content.decode()
    keys = re.findall(r'name="ssh_keys" value="(\d+)"', body)
    assert keys
    response = browser.post(url("server_ssh_keys"), {"ssh_keys": keys[:1]}, follow=True)
    assert "SSH keys updated." in response.content.decode()


def test_a_restart_asks_the_role_once(web_team, member_of, monkeypatch) -> None:
    from tests.actions.role_checks import role_checks

    browser = member_of(Role.OPERATOR)
    asked = role_checks(monkeypatch)
    body = browser.post(url("server_restart"), headers=HTMX_POWER).content.decode()
    assert "Restart requested." in body
    assert asked.count("servers_restart") == 1


def test_a_hostname_change_asks_the_role_once(web_team, member_of, monkeypatch) -> None:
    """The quick settings run through the actions pipeline too: the view's decorator asks the role
    only to show pages, the pipeline asks it once for the write."""
    from tests.actions.role_checks import role_checks

    browser = member_of(Role.OPERATOR)
    asked = role_checks(monkeypatch)
    response = browser.post(url("server_hostname"), {"hostname": "once.example.com"}, follow=True)
    assert "Hostname changed." in response.content.decode()
    assert asked.count("servers_update_hostname") == 1


def test_a_viewer_may_not_rename_and_learns_nothing_from_the_form(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).post(url("server_hostname"), {"hostname": "-bad_name-"})
    assert response.status_code == 403 and "letters, digits" not in response.content.decode()
    assert AuditEvent.objects.get(operation_id="servers_update_hostname").outcome == "denied"
