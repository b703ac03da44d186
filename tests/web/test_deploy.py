"""The deploy wizard: each step, errors next to fields, choices kept, the cost, the deploy itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.operations import runner
from panel.operations.models import Operation, State
from tests.operations import conftest as ops_tests
from tests.web.conftest import ALPHA, BETA

pytestmark = pytest.mark.django_db

DEPLOY = reverse("web:deploy")
# A complete set of choices (alpha's image 73 is Ubuntu 22.04; SSH key 90 is alpha's).
CHOICES: dict[str, Any] = {
    "account": ALPHA,
    "plan": "cloud-vps-2gb",
    "hostname": "app-01.example.com",
    "source": "image:73",
    "billing_cycle": "3",
    "ssh_keys": ["90"],
    "backups": "on",
    "promo_code": "fall2403",
}


def _get(browser, **params: Any):
    return browser.get(DEPLOY, params)


def _key(body: str) -> str:
    return re.search(r'name="request_key" value="([0-9a-f]+)"', body).group(1)


def _confirm(browser, **extra: Any):
    body = _get(browser, **CHOICES, goto="summary").content.decode()
    data = {**CHOICES, "request_key": _key(body), "confirm_hostname": "app-01.example.com", **extra}
    return browser.post(DEPLOY, data)


@pytest.fixture
def sleeps(simulator, monkeypatch) -> None:
    """The waits of a parked operation move the simulator's clock instead of sleeping."""
    monkeypatch.setattr(runner, "clock", simulator.sim.clock.now)
    monkeypatch.setitem(ops_tests.PAUSE, "wait", lambda seconds: simulator.advance(max(seconds, 0.5)))


def test_servers_list_offers_deploy_only_to_roles_that_may(web_team, member_of) -> None:
    assert DEPLOY in member_of(Role.ADMIN).get(reverse("web:servers")).content.decode()
    assert DEPLOY not in member_of(Role.OPERATOR).get(reverse("web:servers")).content.decode()
    assert member_of(Role.OPERATOR).get(DEPLOY).status_code == 403


def test_first_step_chooses_the_account_then_lists_its_plans(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = _get(browser).content.decode()
    assert "Step 1 of 5: Account" in body and "Beta Hosting Ltd" in body
    response = _get(browser, account=BETA, goto="plan")
    body = response.content.decode()
    assert response.status_code == 200 and "Step 2 of 5: Plan" in body
    assert 'value="cloud-vps-2gb"' in body and "26.80" in body  # the plan's monthly price with VAT
    assert re.search(r'value="vds-8gb"[^>]*disabled', body)  # out of stock
    assert f'name="account" value="{BETA}"' in body  # the account is carried


def test_plan_is_required_and_must_be_in_stock(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    response = _get(browser, account=ALPHA, goto="setup")
    assert response.status_code == 422 and "Choose a plan." in response.content.decode()
    response = _get(browser, account=ALPHA, plan="vds-8gb", goto="setup")
    assert response.status_code == 422 and "not available at the moment" in response.content.decode()


def test_setup_lists_sources_and_keys_of_the_account(web_team, member_of) -> None:
    body = _get(member_of(Role.ADMIN), account=ALPHA, plan="cloud-vps-2gb", goto="setup").content.decode()
    for value in ('value="image:73"', 'value="snapshot:116"', 'value="backup:77"', 'value="iso:101"'):
        assert value in body, value
    assert 'value="90"' in body and "snapshot:118" not in body  # beta's snapshot is not offered


def test_bad_hostname_is_a_field_error_and_keeps_what_was_typed(web_team, member_of) -> None:
    data = {**CHOICES, "hostname": "not a hostname!", "goto": "extras"}
    response = member_of(Role.ADMIN).get(DEPLOY, data)
    body = response.content.decode()
    assert response.status_code == 422 and "Step 3 of 5: Server" in body
    assert "Line 1 (“not a hostname!”): Enter a host name" in body
    assert ">\nnot a hostname!</textarea>" in body  # what was typed stays in the hostnames box
    assert re.search(r'value="90"[^>]*checked|checked[^>]*value="90"', body)  # the SSH key stays chosen


def test_going_back_keeps_the_choices(web_team, member_of) -> None:
    body = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "step": "setup"}).content.decode()
    assert ">\napp-01.example.com</textarea>" in body
    assert '<option value="image:73" selected>' in body and '<option value="3" selected>' in body
    assert 'name="promo_code" value="fall2403"' in body  # the next step's choice, carried hidden


def test_unknown_promo_code_is_refused_next_to_its_field(web_team, member_of) -> None:
    response = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "promo_code": "nope", "goto": "summary"})
    body = response.content.decode()
    assert response.status_code == 422 and "Step 4 of 5" in body
    assert "VPSBG has no promo code “nope” for this plan." in body


def test_promo_code_needing_a_longer_cycle_says_so(web_team, member_of) -> None:
    response = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "promo_code": "fall2406", "goto": "summary"})
    assert response.status_code == 422
    assert "needs a billing cycle of at least 6 months" in response.content.decode()


def test_windows_licences_need_a_windows_image(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    response = browser.get(DEPLOY, {**CHOICES, "microsoft_rds_sal": "2", "goto": "summary"})
    assert response.status_code == 422 and "need a Windows image" in response.content.decode()
    windows = {**CHOICES, "source": "image:100", "microsoft_rds_sal": "2", "goto": "summary"}
    body = browser.get(DEPLOY, windows).content.decode()
    assert "Microsoft RDS SAL" in body and "Windows Server licence" in body


def test_extra_addresses_are_limited(web_team, member_of) -> None:
    response = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "extra_ipv4": "9", "goto": "summary"})
    assert response.status_code == 422 and "less than or equal to 8" in response.content.decode()


def test_summary_shows_the_cost_with_the_promo_code(web_team, member_of) -> None:
    body = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "goto": "summary"}).content.decode()
    assert "Step 5 of 5: Summary and cost" in body
    assert "fall2403: −10% on the plan" in body
    # (26.80 * 0.9 + 6.00 backups) * 3 months = 90.36 with VAT; (22.33 * 0.9 + 5) * 3 = 75.29 without.
    assert "Total for 3 months: 90.36" in body and "75.29 without VAT" in body
    assert "Type “app-01.example.com”." in body and "Reason (for the audit log)" in body


def test_wrong_confirmation_starts_nothing_and_keeps_the_choices(web_team, member_of) -> None:
    response = _confirm(member_of(Role.ADMIN), confirm_hostname="app-02")
    body = response.content.decode()
    assert response.status_code == 422 and "Type the hostname exactly" in body
    assert 'name="hostname" value="app-01.example.com"' in body
    assert not Operation.objects.exists()


def test_confirm_starts_the_deploy_and_follows_it(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    response = _confirm(browser, reason="new app")
    operation = Operation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:deploy_progress", kwargs={"pk": operation.pk})
    assert operation.kind == "deploy" and operation.account_id == ALPHA
    params = operation.params
    assert params["name"] == "app-01.example.com" and params["plan"] == "cloud-vps-2gb"
    assert params["image_id"] == 73 and params["ssh_keys"] == [90] and params["billing_cycle"] == 3
    assert params["backups"] is True and params["promo_code"] == "fall2403"
    page = browser.get(response["Location"]).content.decode()
    assert "Deploy server" in page and 'hx-trigger="every 2s"' in page


def test_double_submit_starts_one_deploy(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = _get(browser, **CHOICES, goto="summary").content.decode()
    data = {**CHOICES, "request_key": _key(body), "confirm_hostname": "app-01.example.com"}
    browser.post(DEPLOY, data)
    browser.post(DEPLOY, data)
    assert Operation.objects.count() == 1


def test_deploy_runs_to_an_active_server_with_one_audit_event(web_team, member_of, sleeps) -> None:
    browser = member_of(Role.OWNER)
    progress = _confirm(browser, reason="capacity for the new app")["Location"]
    operation = Operation.objects.get()
    operation = ops_tests.run_to_end(operation)
    assert operation.state == State.SUCCEEDED, operation.error
    events = AuditEvent.objects.filter(operation_id="servers_deploy")
    assert events.count() == 1 and events.get().outcome == "ok"
    assert events.get().reason == "capacity for the new app"
    server = operation.data["servers"][0]
    body = browser.get(progress).content.decode()
    assert "Your new server is active." in body
    assert reverse("web:server_detail", kwargs={"ref": server}) in body
    assert 'hx-trigger="every 2s"' not in body
    assert browser.get(progress, headers={"HX-Request": "true"}).status_code == 286  # htmx stops polling


def test_deploy_from_an_iso(web_team, member_of, sleeps) -> None:
    browser = member_of(Role.ADMIN)
    _confirm(browser, source="iso:101", promo_code="")
    operation = Operation.objects.get()
    assert operation.params["primary_iso_id"] == 101 and operation.params.get("image_id") is None
    operation = ops_tests.run_to_end(operation)
    assert operation.state == State.SUCCEEDED, operation.error


def test_upstream_failure_is_a_friendly_message(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("servers_list_plans", status=500)
    response = _get(member_of(Role.ADMIN), account=ALPHA, goto="plan")
    body = response.content.decode()
    assert response.status_code < 500 and "Retry" in body and "Traceback" not in body


def test_promo_codes_unreadable_is_a_field_error(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("plans_promo_codes", status=500)
    response = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "goto": "summary"})
    assert response.status_code == 422 and "could not be checked now" in response.content.decode()


def test_member_limited_to_servers_is_refused(web_team, member_of) -> None:
    from tests.web.conftest import UBUNTU

    browser = member_of(Role.ADMIN)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    page = _get(browser)
    assert page.status_code == 403 and "limited to chosen servers" in page.content.decode()
    assert DEPLOY not in browser.get(reverse("web:servers")).content.decode()
    body = _get(member_of(Role.ADMIN), **CHOICES, goto="summary").content.decode()
    data = {**CHOICES, "request_key": _key(body), "confirm_hostname": "app-01.example.com"}
    response = browser.post(DEPLOY, data)  # the operation's service refuses it too
    assert response.status_code == 403 and "limited to chosen servers" in response.content.decode()
    assert not Operation.objects.exists()


def test_another_teams_deploy_progress_is_404(web_team, member_of, outsider_client) -> None:
    _confirm(member_of(Role.ADMIN))
    url = reverse("web:deploy_progress", kwargs={"pk": Operation.objects.get().pk})
    assert outsider_client.get(url).status_code == 404


def test_progress_fragment_keeps_polling_while_the_deploy_runs(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    progress = _confirm(browser)["Location"]
    response = browser.get(progress, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'hx-trigger="every 2s"' in body and "Queued" in body


def test_a_single_account_team_skips_the_account_step(team, simulator, member_of) -> None:
    from tests.web.conftest import store_token

    store_token(team, simulator, "alpha_rw")
    body = _get(member_of(Role.ADMIN)).content.decode()
    assert "Step 1 of 4: Plan" in body and 'value="cloud-vps-2gb"' in body


def test_team_without_accounts_is_told_to_add_a_token(team, member_of) -> None:
    body = _get(member_of(Role.ADMIN)).content.decode()
    assert reverse("vault:token_list") in body and "Add a VPSBG token" in body


def test_a_tampered_earlier_step_is_shown_again(web_team, member_of) -> None:
    response = _confirm(member_of(Role.ADMIN), plan="vds-8gb")
    body = response.content.decode()
    assert response.status_code == 422 and "Step 2 of 5: Plan" in body and "not available" in body
    assert not Operation.objects.exists()


def test_password_mismatch_is_a_field_error(web_team, member_of) -> None:
    response = _confirm(
        member_of(Role.ADMIN), password="a-long-password-1", password_again="other-password-2"
    )
    assert response.status_code == 422 and "The two passwords differ." in response.content.decode()
    assert not Operation.objects.exists()


def test_root_password_goes_to_the_operation_secret_only(web_team, member_of) -> None:
    _confirm(member_of(Role.ADMIN), password="a-long-password-1", password_again="a-long-password-1")
    operation = Operation.objects.get()
    assert "password" not in operation.params and operation.secret
    assert "a-long-password-1" not in operation.secret


def test_summary_warns_when_the_balance_does_not_cover_the_order(web_team, member_of) -> None:
    costly = {
        **CHOICES,
        "bandwidth": "1gbps-unmetered",
        "billing_cycle": "24",
        "promo_code": "",
        "goto": "summary",
    }
    body = member_of(Role.ADMIN).get(DEPLOY, costly).content.decode()
    assert "The account's balance:" in body and "does not cover this order" in body
    assert (
        "does not cover"
        not in member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "goto": "summary"}).content.decode()
    )


# -- several servers in one order --------------------------------------------------------------------
THREE = "app-01.example.com\napp-02.example.com\napp-03.example.com"


def test_three_hostnames_reach_the_summary_with_the_total_for_three(web_team, member_of) -> None:
    body = (
        member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "hostname": THREE, "goto": "summary"}).content.decode()
    )
    assert "Step 5 of 5: Summary and cost" in body
    assert "3 new servers" in body and "app-02.example.com" in body and "app-03.example.com" in body
    # One server is 90.36 with VAT (75.29 without) for 3 months (see the single-server test above).
    assert "Per server for 3 months: 90.36" in body and "75.29 without VAT" in body
    assert "Total for 3 servers for 3 months: 271.08" in body and "225.87 without VAT" in body
    assert "Type the number of new servers to confirm" in body and "Type “3”." in body
    assert 'name="confirm_hostname"' not in body and "Deploy 3 servers and pay 271.08" in body


def test_confirming_three_starts_one_operation_naming_the_three(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = _get(browser, **{**CHOICES, "hostname": THREE}, goto="summary").content.decode()
    data = {**CHOICES, "hostname": THREE, "request_key": _key(body), "confirm_count": "3"}
    response = browser.post(DEPLOY, data)
    operation = Operation.objects.get()
    assert response.status_code == 302
    assert operation.params["name"] == ["app-01.example.com", "app-02.example.com", "app-03.example.com"]
    assert operation.target_label == "3 new servers"
    page = browser.get(response["Location"]).content.decode()
    assert "Deploying 3 servers (app-01.example.com, app-02.example.com, app-03.example.com)" in page


def test_a_wrong_number_of_servers_is_refused(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    body = _get(browser, **{**CHOICES, "hostname": THREE}, goto="summary").content.decode()
    data = {**CHOICES, "hostname": THREE, "request_key": _key(body), "confirm_count": "2"}
    response = browser.post(DEPLOY, data)
    assert response.status_code == 422
    assert "Type the number of new servers: “3”." in response.content.decode()
    assert not Operation.objects.exists()


def test_a_bad_line_is_named_and_everything_typed_is_kept(web_team, member_of) -> None:
    typed = "app-01.example.com\nnot a hostname!\napp-03.example.com"
    response = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "hostname": typed, "goto": "extras"})
    body = response.content.decode()
    assert response.status_code == 422 and "Step 3 of 5: Server" in body
    assert "Line 2 (“not a hostname!”): Enter a host name" in body
    assert typed in body  # the textarea keeps all three lines
    assert '<option value="image:73" selected>' in body and '<option value="3" selected>' in body
    assert re.search(r'value="90"[^>]*checked|checked[^>]*value="90"', body)
    assert 'name="promo_code" value="fall2403"' in body  # the next step's choice, carried hidden


def test_a_duplicate_hostname_is_refused(web_team, member_of) -> None:
    typed = "app-01.example.com\n\nAPP-01.example.com."
    response = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "hostname": typed, "goto": "extras"})
    body = response.content.decode()
    assert response.status_code == 422
    assert "Line 3: “app-01.example.com” is already on line 1" in body


def test_more_than_ten_hostnames_are_refused(web_team, member_of) -> None:
    typed = "\n".join(f"app-{i:02}.example.com" for i in range(11))
    response = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "hostname": typed, "goto": "extras"})
    assert response.status_code == 422
    assert "At most 10 servers in one order; you entered 11 hostnames." in response.content.decode()


def test_three_servers_run_to_the_end_and_the_progress_links_each(web_team, member_of, sleeps) -> None:
    browser = member_of(Role.OWNER)
    choices = {**CHOICES, "hostname": THREE, "promo_code": "", "backups": ""}
    body = _get(browser, **choices, goto="summary").content.decode()
    response = browser.post(DEPLOY, {**choices, "request_key": _key(body), "confirm_count": "3"})
    operation = Operation.objects.get()
    operation = ops_tests.run_to_end(operation)
    assert operation.state == State.SUCCEEDED, operation.error
    assert len(operation.data["servers"]) == 3
    events = AuditEvent.objects.filter(operation_id="servers_deploy")
    assert events.count() == 1 and events.get().outcome == "ok"
    page = browser.get(response["Location"]).content.decode()
    assert "Your 3 new servers are active." in page
    for ref in operation.data["servers"]:
        assert reverse("web:server_detail", kwargs={"ref": ref}) in page
        assert f"Open {operation.data['server_names'][ref]} " in page  # each by the name it was given
    assert sorted(operation.data["server_names"].values()) == sorted(choices["hostname"].split())


# -- a secondary ISO ---------------------------------------------------------------------------------
ISO_CHOICES = {**CHOICES, "source": "iso:101", "promo_code": ""}


def test_setup_offers_the_accounts_isos_as_secondary(web_team, member_of) -> None:
    body = _get(member_of(Role.ADMIN), account=ALPHA, plan="cloud-vps-2gb", goto="setup").content.decode()
    assert 'name="secondary_iso"' in body and "Secondary ISO" in body
    select = body[
        body.index('name="secondary_iso"') : body.index("</select>", body.index('name="secondary_iso"'))
    ]
    assert 'value="101"' in select and 'value="2"' in select  # alpha's own ISO and a public one


def test_secondary_iso_reaches_the_summary_the_operation_and_vpsbg(
    web_team, member_of, simulator, sleeps
) -> None:
    browser = member_of(Role.ADMIN)
    summary = _get(browser, **ISO_CHOICES, secondary_iso="2", goto="summary").content.decode()
    assert "Secondary ISO" in summary and "debian-12.5.0-amd64-netinst.iso" in summary
    data = {**ISO_CHOICES, "secondary_iso": "2", "request_key": _key(summary)}
    browser.post(DEPLOY, {**data, "confirm_hostname": "app-01.example.com"})
    operation = Operation.objects.get()
    assert operation.params["primary_iso_id"] == 101 and operation.params["secondary_iso_id"] == 2
    operation = ops_tests.run_to_end(operation)
    assert operation.state == State.SUCCEEDED, operation.error
    server_id = operation.data["servers"][0].rpartition(":")[2]
    assert simulator.sim.state.coll("servers")[server_id]["_isos"] == [101, 2]


@pytest.mark.parametrize(
    ("choices", "error"),
    [
        ({**ISO_CHOICES, "secondary_iso": "101"}, "Choose an ISO other than the one to install from."),
        ({**CHOICES, "secondary_iso": "2"}, "A secondary ISO goes with an ISO install"),
        ({**ISO_CHOICES, "secondary_iso": "999"}, "Select a valid choice."),
    ],
)
def test_a_wrong_secondary_iso_is_a_field_error(web_team, member_of, choices, error) -> None:
    response = member_of(Role.ADMIN).get(DEPLOY, {**choices, "goto": "extras"})
    body = response.content.decode()
    assert response.status_code == 422 and "Step 3 of 5: Server" in body and error in body
    assert "app-01.example.com" in body  # the hostname typed is kept


def test_isos_unreadable_is_a_friendly_message(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("isos_list", status=500)
    response = _get(member_of(Role.ADMIN), account=ALPHA, plan="cloud-vps-2gb", goto="setup")
    body = response.content.decode()
    assert response.status_code < 500 and "Retry" in body and "Traceback" not in body
