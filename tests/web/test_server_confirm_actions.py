"""Actions behind a confirmation page: what happens, the cost, the typed hostname, the operation."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.operations.models import Operation
from tests.web.conftest import ALPHA, UBUNTU, server_tabs

pytestmark = pytest.mark.django_db


def url(name: str, ref: str = UBUNTU) -> str:
    return reverse(f"web:{name}", kwargs={"ref": ref})


def _options(body: str, field: str) -> list[str]:
    select = body.split(f'name="{field}"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]+)"', select)


def _key(body: str) -> str:
    return re.search(r'name="request_key" value="([0-9a-f]+)"', body).group(1)


def test_reinstall_page_says_what_happens_and_asks_for_the_hostname(web_team, member_of) -> None:
    response = member_of(Role.ADMIN).get(url("server_reinstall"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Everything on the disk of ubuntu-2gb is erased." in body
    assert "Type “ubuntu-2gb”." in body and _options(body, "image_id")


def test_wrong_hostname_starts_nothing(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = browser.get(url("server_reinstall")).content.decode()
    image = _options(body, "image_id")[0]
    response = browser.post(url("server_reinstall"), {"image_id": image, "confirm_hostname": "web-01"})
    assert response.status_code == 422
    assert "Type the hostname exactly" in response.content.decode()
    assert not Operation.objects.exists()


def test_reinstall_starts_an_operation_and_shows_its_progress(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = browser.get(url("server_reinstall")).content.decode()
    image = _options(body, "image_id")[0]
    assert 'name="reason"' in body  # an optional reason for the audit log, on every action
    data = {"image_id": image, "confirm_hostname": "UBUNTU-2GB", "request_key": _key(body)}
    data["reason"] = "disk full"
    response = browser.post(url("server_reinstall"), data)
    operation = Operation.objects.get()
    assert response.status_code == 302 and response["Location"] == operation.get_absolute_url()
    assert operation.kind == "reinstall" and operation.target_id == UBUNTU
    assert operation.data["reason"] == "disk full"  # the worker's VPSBG call is audited with it
    assert operation.params["image_id"] == int(image)
    browser.post(url("server_reinstall"), data)  # a double submit: the same operation
    assert Operation.objects.count() == 1


def test_a_reinstall_asks_the_role_once(web_team, member_of, monkeypatch) -> None:
    from tests.actions.role_checks import role_checks

    browser = member_of(Role.ADMIN)
    body = browser.get(url("server_reinstall")).content.decode()
    data = {"image_id": _options(body, "image_id")[0], "confirm_hostname": "ubuntu-2gb"}
    data["request_key"] = _key(body)
    asked = role_checks(monkeypatch)
    response = browser.post(url("server_reinstall"), data)
    assert response.status_code == 302 and Operation.objects.count() == 1
    assert asked.count("servers_reinstall") == 1


def test_short_password_is_a_field_error(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = browser.get(url("server_reinstall")).content.decode()
    data = {"image_id": _options(body, "image_id")[0], "confirm_hostname": "ubuntu-2gb", "password": "short"}
    response = browser.post(url("server_reinstall"), data)
    assert response.status_code == 422 and "at least 12 characters" in response.content.decode()


def test_operator_is_refused_reinstall_and_not_offered_it(web_team, member_of) -> None:
    operator = member_of(Role.OPERATOR)
    assert operator.get(url("server_reinstall")).status_code == 403
    assert operator.post(url("server_reinstall"), {"confirm_hostname": "ubuntu-2gb"}).status_code == 403
    body = server_tabs(operator)
    assert url("server_reinstall") not in body and url("server_snapshot") in body


def test_admin_is_offered_the_actions_for_the_servers_state(web_team, member_of) -> None:
    body = server_tabs(member_of(Role.ADMIN))
    for name in ("server_reinstall", "server_scale", "server_password", "server_cancel", "server_rescue_on"):
        assert url(name) in body, name
    assert url("server_undo_cancel") not in body and url("server_rescue_off") not in body
    assert url("server_renew") not in body  # renewing is the billing role's (and the owner's)
    assert f"{url('server_restore')}?source=" in body


def test_renew_shows_the_cost_before_confirming(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    body = browser.get(url("server_renew")).content.decode()
    assert "Show cost" in body
    body = browser.get(url("server_renew"), {"billing_cycle": "3"}).content.decode()
    assert "Renewal for 3 months:" in body and "VAT included" in body
    assert 'value="3" selected' in body


def test_scale_cost_and_plans(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = browser.get(url("server_scale")).content.decode()
    plans = _options(body, "plan")
    assert plans and "cloud-vps-2gb" not in plans  # not the current plan
    body = browser.get(url("server_scale"), {"plan": plans[0]}).content.decode()
    assert f"Scale to {plans[0]}:" in body


def test_the_licence_change_preview_keeps_the_rds_licences_the_server_has(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    # win-rdp has three RDS licences: two Office licences (12 a month each, 20 % VAT) for the month
    # left cost 28.80, not 10.80 (what dropping the RDS licences at the same time would come to)
    page = browser.get(url("server_scale_addons", f"{ALPHA}:2872"), {"microsoft_office_sal": "2"})
    body = page.content.decode()
    assert "Change of addons:" in body and "28.80" in body and "10.80" not in body


def test_restore_preselects_the_chosen_copy(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    detail = server_tabs(browser, UBUNTU, "snapshots")
    source = re.search(r"\?source=(snapshot:\d+)", detail).group(1)
    body = browser.get(url("server_restore"), {"source": source}).content.decode()
    select = re.search(r'<select name="snapshot_id".*?</select>', body, re.S).group(0)
    assert f'<option value="{source.partition(":")[2]}" selected>' in select


def test_cancel_is_a_direct_call_with_its_reason(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    response = browser.post(
        url("server_cancel"), {"confirm_hostname": "ubuntu-2gb", "reason": "moved to web-01"}, follow=True
    )
    assert "Cancellation requested." in response.content.decode()
    event = AuditEvent.objects.get(operation_id="servers_cancel")
    assert event.outcome == "ok" and event.reason == "moved to web-01"


def test_upstream_trouble_on_a_confirmation_page_is_a_message(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("servers_scale_list_plans", status=502)
    response = member_of(Role.ADMIN).get(url("server_scale"))
    body = response.content.decode()
    assert response.status_code == 200 and "Retry" in body and "VPSBG" in body


def test_scoped_member_cannot_reach_another_servers_page(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    browser.membership.server_scope = [f"{UBUNTU[:-4]}2866"]
    browser.membership.save()
    assert browser.get(url("server_reinstall")).status_code == 404


def test_buy_addon_shows_its_price_then_orders_it(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = browser.get(url("server_buy_addon")).content.decode()
    offers = _options(body, "bandwidth")  # the form is the input type's: one box per kind of addon
    assert "100mbps-unmetered" in offers and "windows-server-license" not in offers
    body = browser.get(url("server_buy_addon"), {"bandwidth": "100mbps-unmetered"}).content.decode()
    assert "100mbps-unmetered until the server&#x27;s expiry: 60.00" in body
    response = browser.post(url("server_buy_addon"), {"confirm_hostname": "ubuntu-2gb"})
    assert response.status_code == 422 and "Choose an addon to buy." in response.content.decode()
    chosen = {"bandwidth": "100mbps-unmetered", "confirm_hostname": "ubuntu-2gb"}
    response = browser.post(url("server_buy_addon"), chosen, follow=True)
    assert "Addon 100mbps-unmetered ordered." in response.content.decode()
    assert AuditEvent.objects.filter(operation_id="servers_addons_purchase", outcome="ok").exists()


def test_scale_addons_needs_a_choice_and_starts_an_operation(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    response = browser.post(url("server_scale_addons"), {"confirm_hostname": "ubuntu-2gb"})
    assert response.status_code == 422 and "Choose at least one addon" in response.content.decode()
    response = browser.post(
        url("server_scale_addons"), {"cpanel": "cpanel-pro-30", "confirm_hostname": "ubuntu-2gb"}
    )
    assert response.status_code == 302
    assert Operation.objects.get().kind == "scale_addons"


def test_cancel_and_keep_an_addon(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = browser.get(url("server_cancel_addon")).content.decode()
    addon = _options(body, "server_addon_id")[0]
    response = browser.post(
        url("server_cancel_addon"),
        {"server_addon_id": addon, "confirm_hostname": "ubuntu-2gb", "reason": "unused"},
        follow=True,
    )
    assert "Addon cancellation requested." in response.content.decode()
    response = browser.post(url("server_undo_cancel_addon"), {"server_addon_id": addon}, follow=True)
    assert "Addon cancellation withdrawn." in response.content.decode()


def test_floating_ips_on_the_server_page_and_attach(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    web_01 = f"{UBUNTU[:-4]}2865"
    assert "87.121.52.29" in server_tabs(browser, web_01, "networking")
    assert _options(
        browser.get(url("server_detach_floating_ip", web_01)).content.decode(), "floating_ip"
    ) == ["608"]
    body = browser.get(url("server_attach_floating_ip")).content.decode()
    assert sorted(_options(body, "floating_ip")) == ["602", "610"]
    response = browser.post(url("server_attach_floating_ip"), {"floating_ip": "610"})
    assert response.status_code == 302 and Operation.objects.get().kind == "floating_ip_attach"


def test_measured_boot_can_be_turned_off(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    vds = f"{UBUNTU[:-4]}2873"
    body = browser.get(url("server_measured_boot", vds)).content.decode()
    assert "bpir-tier3-20260812.efi" in body
    response = browser.post(
        url("server_measured_boot", vds),
        {"kernel_image_id": "", "confirm_hostname": "vds-secure.alpha.example"},
        follow=True,
    )
    assert "Measured boot updated." in response.content.decode()


@pytest.mark.parametrize(
    ("page", "action", "data"),
    [
        ("server_rescue_on", "servers_rescue_enable", {"confirm_hostname": "ubuntu-2gb"}),
        ("server_cancel", "servers_cancel", {"confirm_hostname": "ubuntu-2gb"}),
        ("server_renew", "servers_renew", {"billing_cycle": "3", "confirm_hostname": "ubuntu-2gb"}),
    ],
)
def test_a_declared_action_asks_the_role_once(web_team, member_of, monkeypatch, page, action, data) -> None:
    """A long operation, a single call and an account-wide order alike: one question per click."""
    from tests.actions.role_checks import role_checks

    browser = member_of(Role.OWNER)
    asked = role_checks(monkeypatch)
    response = browser.post(url(page), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert asked.count(action) == 1
