"""Accounts pages: each VPSBG account's profile, its own two-factor sign-in and its affiliate programme.

Against the simulator: account alpha has 2FA on (DEMO_2FA_SECRET) and the affiliate programme
active with one conversion and one payout; account beta has neither.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from tests.web.conftest import ALPHA, BETA, UBUNTU
from vpsbg_api.simulator import DEMO_2FA_SECRET
from vpsbg_api.simulator.keys import totp

pytestmark = pytest.mark.django_db

URL = reverse("web:account")


def _url(name: str, account: str) -> str:
    return f"{reverse(name)}?account={account}"


def _code(simulator, secret: str = DEMO_2FA_SECRET) -> str:
    return totp(secret, simulator.sim.clock.now())


def _events(operation_id: str):
    return AuditEvent.objects.filter(operation_id=operation_id)


# -- the index -------------------------------------------------------------------------------------------
def test_viewer_sees_accounts_profile_2fa_and_affiliate_without_writes(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Ops Ltd" in body and "Beta Hosting Ltd" in body  # both accounts summarised
    assert "ops@alpha.example" in body and "admin@beta.example" in body
    for heading in ("Profile", "Two-factor sign-in", "Affiliate programme", "Conversions", "Payouts"):
        assert heading in body
    assert "myawesomewebsite2" in body and "https://www.vpsbg.eu/aff/myawesomewebsite2" in body
    assert "#7390" in body and "Approved" in body  # the conversion
    assert "12.50" in body  # the payout
    for write in ("account_profile", "account_2fa_secret", "account_2fa_disable", "account_referral_code"):
        assert reverse(f"web:{write}") not in body


def test_owner_is_offered_every_write(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    alpha = browser.get(URL, {"account": ALPHA}).content.decode()
    assert reverse("web:account_profile") in alpha
    assert reverse("web:account_2fa_disable") in alpha  # alpha has 2FA on
    assert reverse("web:account_referral_code") in alpha
    beta = browser.get(URL, {"account": BETA}).content.decode()
    assert reverse("web:account_2fa_secret") in beta  # beta has 2FA off
    assert "not active for this account" in beta and reverse("web:account_affiliate_activate") in beta


def test_billing_role_gets_affiliate_writes_only(web_team, member_of) -> None:
    body = member_of(Role.BILLING).get(URL, {"account": ALPHA}).content.decode()
    assert reverse("web:account_referral_code") in body
    assert reverse("web:account_profile") not in body and reverse("web:account_2fa_disable") not in body


def test_member_limited_to_servers_is_offered_no_writes_and_refused(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    body = browser.get(URL, {"account": ALPHA}).content.decode()
    assert "myawesomewebsite2" in body  # reads still work
    assert reverse("web:account_referral_code") not in body and reverse("web:account_profile") not in body
    response = browser.post(_url("web:account_referral_code", ALPHA), {"referral_code": "limitedcode"})
    assert response.status_code in (403, 422)
    assert "limited to chosen servers" in response.content.decode()
    assert _events("affiliate_update_referral_code").get().outcome == "denied"


def test_account_is_chosen_with_a_parameter_and_others_answer_404(
    web_team, member_of, outsider_client
) -> None:
    browser = member_of(Role.VIEWER)
    assert browser.get(URL, {"account": "nobody@example"}).status_code == 404
    assert outsider_client.get(URL, {"account": ALPHA}).status_code == 404
    assert outsider_client.post(_url("web:account_referral_code", ALPHA), {}).status_code == 404
    assert outsider_client.get(_url("web:account_profile", ALPHA)).status_code == 404
    assert outsider_client.post(_url("web:account_2fa_secret", ALPHA)).status_code == 404
    assert not _events("user_2fa_get_secret").exists()


def test_team_without_accounts_says_how_to_add_one(team, member_of) -> None:
    body = member_of(Role.OWNER).get(URL).content.decode()
    assert "no VPSBG account yet" in body and reverse("vault:token_add") in body


def test_profile_failure_stays_in_its_section(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("user_get", status=500)
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200
    assert "VPSBG unavailable" in body and "Retry" in body
    assert "myawesomewebsite2" in body  # the affiliate section still works


def test_affiliate_failure_stays_in_its_section(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("affiliate_get", status=503)
    body = member_of(Role.VIEWER).get(URL, {"account": ALPHA}).content.decode()
    assert "VPSBG unavailable" in body and "ops@alpha.example" in body


def test_conversion_list_failure_stays_in_its_section(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("affiliate_conversions_list", status=500)
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200 and "VPSBG unavailable" in body
    assert "12.50" in body  # payouts still shown


def test_paged_list_fragment_for_htmx(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(
        URL, {"account": ALPHA, "section": "payouts", "ppage": "1"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="payouts"') and "<html" not in body
    assert "HX-Request" in response["Vary"]


# -- profile ----------------------------------------------------------------------------------------------
def _profile_values(browser) -> dict[str, str]:
    """What the profile form holds as served (text inputs and the checked boxes), as a browser sends it."""
    page = browser.get(_url("web:account_profile", ALPHA)).content.decode()
    values = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page))
    values.pop("csrfmiddlewaretoken", None)
    for box in re.findall(r'<input type="checkbox" name="(\w+)"[^>]*checked', page):
        values[box] = "on"
    return values


def test_profile_edit_sends_only_the_changes(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    page = browser.get(_url("web:account_profile", ALPHA)).content.decode()
    assert 'value="Sofia"' in page and "Reason (for the audit log)" in page
    form = {**_profile_values(browser), "city": "Plovdiv", "reason": "moved office"}
    response = browser.post(_url("web:account_profile", ALPHA), form, follow=True)
    body = response.content.decode()
    assert "Profile saved at VPSBG." in body and "Plovdiv" in body
    event = _events("user_update").get()
    assert event.outcome == "ok" and event.reason == "moved office"
    sent = {k: v for k, v in event.params.items() if v is not None}
    assert sent == {"city": "Plovdiv"}


def test_profile_without_changes_sends_nothing(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    response = browser.post(_url("web:account_profile", ALPHA), _profile_values(browser), follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not _events("user_update").exists()


def test_profile_bad_input_is_next_to_the_field_and_kept(web_team, member_of) -> None:
    response = member_of(Role.OWNER).post(
        _url("web:account_profile", ALPHA), {"technical_email": "not-an-email", "city": "Varna"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Enter a valid email address." in body and 'value="not-an-email"' in body
    assert 'value="Varna"' in body
    assert not _events("user_update").exists()


def test_profile_field_error_from_vpsbg_is_next_to_the_field(web_team, member_of) -> None:
    response = member_of(Role.OWNER).post(
        _url("web:account_profile", ALPHA), {"referral_code": "abc", "city": "Sofia"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "The referral code must be 4 to 20 letters or digits." in body and 'value="abc"' in body
    assert _events("user_update").get().outcome == "failed"


def test_profile_upstream_failure_is_a_message(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("user_update", status=500)
    response = member_of(Role.OWNER).post(_url("web:account_profile", ALPHA), {"city": "Burgas"})
    assert response.status_code == 422
    assert "VPSBG unavailable" in response.content.decode()
    assert _events("user_update").get().outcome == "failed"


def test_profile_page_when_vpsbg_is_down(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("user_get", status=503)
    response = member_of(Role.OWNER).get(_url("web:account_profile", ALPHA))
    assert response.status_code == 200 and "VPSBG unavailable" in response.content.decode()


# -- the account's 2FA -----------------------------------------------------------------------------------
def test_secret_is_shown_only_on_request_and_audited(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    intro = browser.get(_url("web:account_2fa_secret", BETA))
    assert "Show the secret" in intro.content.decode()
    assert not _events("user_2fa_get_secret").exists()
    response = browser.post(_url("web:account_2fa_secret", BETA))
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body).group(1)
    assert "<svg" in body and "Scan with your authenticator app" in body
    assert "<script" not in body.split("<main", 1)[-1] and 'style="' not in body
    assert _events("user_2fa_get_secret").count() == 1
    assert secret not in str(_events("user_2fa_get_secret").get().params)


def test_enable_with_a_wrong_then_the_right_code(web_team, member_of, simulator) -> None:
    browser = member_of(Role.OWNER)
    body = browser.post(_url("web:account_2fa_secret", BETA)).content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body).group(1)
    otp_url = re.search(r'name="otp_auth_url" value="([^"]*)"', body).group(1)
    wrong = browser.post(
        _url("web:account_2fa_enable", BETA), {"secret_key": secret, "otp_auth_url": otp_url, "otp": "12"}
    )
    assert wrong.status_code == 422 and "Enter the 6 digits" in wrong.content.decode()
    assert secret in wrong.content.decode()  # the same secret stays on the page
    code = _code(simulator, secret)
    bad_code = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = browser.post(
        _url("web:account_2fa_enable", BETA), {"secret_key": secret, "otp_auth_url": otp_url, "otp": bad_code}
    )
    assert refused.status_code == 422 and "one-time password is invalid" in refused.content.decode()
    assert "<svg" in refused.content.decode()
    response = browser.post(
        _url("web:account_2fa_enable", BETA),
        {"secret_key": secret, "otp_auth_url": otp_url, "otp": code, "reason": "policy"},
        follow=True,
    )
    body = response.content.decode()
    assert "Two-factor sign-in is now on" in body
    assert _events("user_2fa_enable").filter(outcome="ok").count() == 1
    assert _events("user_2fa_get_secret").count() == 1  # errors did not ask VPSBG again
    assert reverse("web:account_2fa_disable") in browser.get(URL, {"account": BETA}).content.decode()


def test_secret_upstream_failure_is_a_message(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("user_2fa_get_secret", status=500)
    response = member_of(Role.OWNER).post(_url("web:account_2fa_secret", BETA))
    body = response.content.decode()
    assert response.status_code == 200 and "VPSBG unavailable" in body and "Retry" in body


def test_disable_needs_the_email_and_a_code(web_team, member_of, simulator) -> None:
    browser = member_of(Role.OWNER)
    page = browser.get(_url("web:account_2fa_disable", ALPHA)).content.decode()
    assert "What will happen" in page and "ops@alpha.example" in page
    wrong = browser.post(
        _url("web:account_2fa_disable", ALPHA), {"otp": _code(simulator), "confirm": "someone@else"}
    )
    assert wrong.status_code == 422 and "Type the e-mail address exactly" in wrong.content.decode()
    assert not _events("user_2fa_disable").exists()
    response = browser.post(
        _url("web:account_2fa_disable", ALPHA),
        {"otp": _code(simulator), "confirm": "ops@alpha.example", "reason": "lost phone"},
        follow=True,
    )
    assert "Two-factor sign-in is now off" in response.content.decode()
    event = _events("user_2fa_disable").get()
    assert event.outcome == "ok" and event.reason == "lost phone"


def test_disable_with_a_wrong_code_is_next_to_the_field(web_team, member_of, simulator) -> None:
    bad = f"{(int(_code(simulator)) + 1) % 1_000_000:06d}"
    response = member_of(Role.OWNER).post(
        _url("web:account_2fa_disable", ALPHA), {"otp": bad, "confirm": "ops@alpha.example"}
    )
    assert response.status_code == 422 and "one-time password is invalid" in response.content.decode()
    assert _events("user_2fa_disable").get().outcome == "failed"


def test_admin_may_not_touch_the_accounts_2fa(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    assert browser.post(_url("web:account_2fa_secret", BETA)).status_code == 403
    assert not _events("user_2fa_get_secret").filter(outcome="ok").exists()


# -- affiliate ---------------------------------------------------------------------------------------------
def test_activate_affiliate_behind_a_confirmation(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    page = browser.get(_url("web:account_affiliate_activate", BETA)).content.decode()
    assert "What will happen" in page and "Nothing is charged." in page
    response = browser.post(_url("web:account_affiliate_activate", BETA), {"reason": "partners"}, follow=True)
    body = response.content.decode()
    assert "affiliate programme is active" in body and "https://www.vpsbg.eu/aff/" in body
    assert _events("affiliate_activate").get().outcome == "ok"
    again = browser.get(_url("web:account_affiliate_activate", BETA)).content.decode()
    assert "already active" in again


def test_activate_upstream_failure_is_a_message(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("affiliate_activate", status=500)
    response = member_of(Role.OWNER).post(_url("web:account_affiliate_activate", BETA), {})
    assert response.status_code == 422 and "VPSBG unavailable" in response.content.decode()
    assert _events("affiliate_activate").get().outcome == "failed"


def test_change_referral_code(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    response = browser.post(
        _url("web:account_referral_code", ALPHA),
        {"referral_code": "alpha-ops", "reason": "rebrand"},
        follow=True,
    )
    body = response.content.decode()
    assert "Referral code changed" in body and "https://www.vpsbg.eu/aff/alpha-ops" in body
    event = _events("affiliate_update_referral_code").get()
    assert event.outcome == "ok" and event.reason == "rebrand"


def test_referral_code_bad_input_is_next_to_the_field(web_team, member_of) -> None:
    response = member_of(Role.OWNER).post(_url("web:account_referral_code", ALPHA), {"referral_code": "a b"})
    body = response.content.decode()
    assert response.status_code == 422
    assert "Ensure this value has at least 5 characters" in body and 'value="a b"' in body
    assert not _events("affiliate_update_referral_code").exists()


def test_taken_referral_code_from_vpsbg_is_next_to_the_field(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    browser.post(_url("web:account_affiliate_activate", BETA), {})
    response = browser.post(_url("web:account_referral_code", BETA), {"referral_code": "myawesomewebsite2"})
    body = response.content.decode()
    assert response.status_code == 422 and "has already been taken" in body
    assert _events("affiliate_update_referral_code").get().outcome == "failed"


def test_referral_code_upstream_failure_is_a_message(web_team, member_of, simulator) -> None:
    simulator.sim.faults.add("affiliate_update_referral_code", status=502)
    response = member_of(Role.BILLING).post(
        _url("web:account_referral_code", ALPHA), {"referral_code": "newcode1"}
    )
    assert response.status_code == 422 and "VPSBG unavailable" in response.content.decode()
    assert _events("affiliate_update_referral_code").get().outcome == "failed"


def test_viewer_may_not_change_the_referral_code(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).post(
        _url("web:account_referral_code", ALPHA), {"referral_code": "x1234"}
    )
    assert response.status_code == 403
    assert _events("affiliate_update_referral_code").get().outcome == "denied"


def test_conversions_are_paged_and_keep_the_other_list_page(web_team, member_of, simulator) -> None:
    alpha = simulator.sim.state.data["accounts"]["alpha"]
    alpha["conversions"] = [
        {"id": n, "order_id": 8000 + n, "amount": 10, "commission": 0.5, "status": "approved",
         "created_at": "2026-10-01T00:00:00.000000Z"}
        for n in range(1, 21)
    ]  # fmt: skip
    browser = member_of(Role.VIEWER)
    first = browser.get(URL, {"account": ALPHA, "ppage": "1"}).content.decode()
    assert "Page 1 of 2 (20 in all)" in first and "#8020" in first and "#8001" not in first
    next_url = re.search(r'<a href="([^"]*cpage=2[^"]*)#conversions"', first).group(1).replace("&amp;", "&")
    assert "ppage=1" in next_url
    second = browser.get(next_url).content.decode()
    assert "Page 2 of 2" in second and "#8001" in second and "Previous" in second
