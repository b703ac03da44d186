"""Sign-in by email and password, second factor, lockout, sign-out and sessions."""
from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from panel.accounts.models import EncryptedTOTPDevice
from panel.accounts.models import EncryptedTOTPDevice as TOTPDevice
from panel.accounts.roles import Role
from panel.accounts.second_factor import hash_recovery_code, issue_recovery_codes
from panel.vault import crypto
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.fixtures_accounts import sign_in

from .helpers import totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TEAM_PAGE = "/team/"


def _login(browser: Client, email: str, password: str = PASSWORD, next_url: str = TEAM_PAGE):
    return browser.post(LOGIN, {"username": email, "password": password, "next": next_url})


def _enrolled_user(**kwargs) -> tuple:
    user = UserFactory(**kwargs)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def test_sign_in_with_email_and_password_rotates_the_session() -> None:
    user = MembershipFactory(role=Role.VIEWER).user
    browser = Client()
    browser.get(LOGIN)
    browser.cookies["sessionid"] = "attacker-chosen-session-id"
    response = _login(browser, user.email.upper())  # emails are case-insensitive
    assert response.status_code == 302 and response["Location"] == TEAM_PAGE
    assert browser.cookies["sessionid"].value != "attacker-chosen-session-id"
    assert browser.get(TEAM_PAGE).status_code == 200


def test_wrong_password_says_so_without_saying_which_part() -> None:
    user = UserFactory()
    response = _login(Client(), user.email, "wrong password")
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode()


def test_second_factor_is_asked_when_enrolled() -> None:
    user, device = _enrolled_user()
    MembershipFactory(user=user)
    browser = Client()
    response = _login(browser, user.email)
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    # Password alone reaches nothing: not the team page, not the admin.
    assert browser.get(TEAM_PAGE)["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert browser.get("/admin/")["Location"].startswith(reverse("accounts:two_factor_verify"))
    bad = browser.post(reverse("accounts:two_factor_verify"), {"token": "000000", "next": TEAM_PAGE})
    assert bad.status_code == 200 and "not valid" in bad.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above started django-otp's back-off
    device.save()
    good = browser.post(reverse("accounts:two_factor_verify"),
                        {"token": totp_code(device), "next": TEAM_PAGE})
    assert good.status_code == 302 and good["Location"] == TEAM_PAGE
    assert browser.get(TEAM_PAGE).status_code == 200


def test_verify_refuses_a_foreign_next_url() -> None:
    user, device = _enrolled_user()
    browser = Client()
    _login(browser, user.email)
    response = browser.post(
        reverse("accounts:two_factor_verify"), {"token": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_team_that_requires_2fa_forces_enrollment_first(team) -> None:
    team.require_2fa = True
    team.save()
    user = MembershipFactory(team=team).user
    browser = Client()
    response = _login(browser, user.email)
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert browser.get(TEAM_PAGE)["Location"].startswith(reverse("accounts:two_factor_setup"))
    page = browser.get(reverse("accounts:two_factor_setup"))
    html = page.content.decode()
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "<script" not in svg and "style=" not in svg  # CSP: markup only
    assert "requires a second factor" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The QR and the manual key are the same secret, shown before confirmation only.
    from base64 import b32encode

    assert b32encode(device.bin_key).decode() in html
    wrong = browser.post(reverse("accounts:two_factor_setup"), {"token": "123456"})
    assert "does not match" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    done = browser.post(reverse("accounts:two_factor_setup"), {"token": totp_code(device), "next": TEAM_PAGE})
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert browser.get(TEAM_PAGE).status_code == 200


def test_enrollment_does_not_bypass_an_existing_second_factor() -> None:
    """Signed in with the password only, a person cannot enroll a new app instead of verifying."""
    user, _ = _enrolled_user()
    browser = Client()
    _login(browser, user.email)
    response = browser.get(reverse("accounts:two_factor_setup"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


def test_recovery_code_works_once() -> None:
    user, _ = _enrolled_user()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    static.token_set.create(token=hash_recovery_code("abcd2345"))
    static.token_set.create(token=hash_recovery_code("efgh6789"))
    first = Client()
    _login(first, user.email)
    ok = first.post(reverse("accounts:two_factor_verify"), {"token": "ABCD 2345", "next": TEAM_PAGE})
    assert ok.status_code == 302
    assert "1 left" in " ".join(str(m) for m in ok.wsgi_request._messages)
    second = Client()
    _login(second, user.email)
    again = second.post(reverse("accounts:two_factor_verify"), {"token": "abcd2345", "next": TEAM_PAGE})
    assert again.status_code == 200 and "not valid" in again.content.decode()
    assert list(static.token_set.values_list("token", flat=True)) == [hash_recovery_code("efgh6789")]


def test_regenerating_recovery_codes_replaces_the_old_ones() -> None:
    user, _ = _enrolled_user()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    static.token_set.create(token=hash_recovery_code("oldcode2"))
    browser = sign_in(user, verified=True)
    response = browser.post(reverse("accounts:recovery_codes"))
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert not StaticToken.objects.filter(token=hash_recovery_code("oldcode2")).exists()
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {hash_recovery_code(code) for code in codes}


def test_second_factor_secrets_are_not_stored_in_clear(settings) -> None:
    """A dump of the tables holds neither the authenticator key nor a usable recovery code."""
    user, device = _enrolled_user()
    codes = issue_recovery_codes(user)
    raw_key = device.bin_key.hex()
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_encrypted FROM accounts_encryptedtotpdevice WHERE id = %s", [device.pk])
        [(stored_key,)] = cursor.fetchall()
        cursor.execute("SELECT token FROM otp_static_statictoken")
        stored_codes = {row[0] for row in cursor.fetchall()}
    assert raw_key not in stored_key and crypto.decrypt(stored_key) == raw_key
    assert len(stored_codes) == 10 and not stored_codes & set(codes)
    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the vault's keys, not another's
    with pytest.raises(crypto.SecretUndecryptable):
        EncryptedTOTPDevice.objects.get(pk=device.pk).bin_key


def test_disable_needs_the_password_and_is_refused_when_a_team_requires_2fa(team) -> None:
    user, _ = _enrolled_user()
    browser = sign_in(user, verified=True)
    browser.post(reverse("accounts:two_factor_disable"), {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=user).exists()
    team.require_2fa = True
    team.save()
    MembershipFactory(team=team, user=user)
    browser.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert TOTPDevice.objects.filter(user=user).exists()
    team.require_2fa = False
    team.save()
    browser.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_lockout_after_repeated_failures_shows_a_page(settings) -> None:
    user = UserFactory()
    browser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(browser, user.email, "wrong").status_code == 200
    locked = _login(browser, user.email, "wrong")
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    # Even the right password is refused while locked.
    assert _login(browser, user.email).status_code == 429
    assert "_auth_user_id" not in browser.session


def test_lockout_by_ip_stops_spraying_many_accounts(settings) -> None:
    browser = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(browser, f"nobody{n}@example.test", "wrong")
    assert _login(browser, UserFactory().email).status_code == 429


def test_sign_out_needs_post_and_ends_the_session() -> None:
    user = MembershipFactory().user
    browser = sign_in(user)
    assert browser.get(reverse("accounts:logout")).status_code == 405
    session_key = browser.session.session_key
    response = browser.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert browser.get(TEAM_PAGE)["Location"].startswith(LOGIN)


def test_sign_out_my_other_sessions_keeps_this_one() -> None:
    user = MembershipFactory().user
    here = Client()
    _login(here, user.email)
    laptop = Client()
    _login(laptop, user.email)
    assert laptop.get(TEAM_PAGE).status_code == 200
    response = here.post(reverse("accounts:sign_out_others"))
    assert response.status_code == 302
    assert here.get(TEAM_PAGE).status_code == 200
    assert laptop.get(TEAM_PAGE)["Location"].startswith(LOGIN)


def test_password_reset_by_email() -> None:
    user = UserFactory()
    browser = Client()
    response = browser.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = browser.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new_password = "a brand new passphrase 42"
    done = browser.post(form_page.redirect_chain[-1][0], {"new_password1": new_password,
                                                          "new_password2": new_password})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert _login(Client(), user.email, new_password).status_code == 302
    # The link works once.
    assert "no longer works" in browser.get(link, follow=True).content.decode()


def test_password_reset_does_not_reveal_unknown_addresses() -> None:
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change_signs_out_other_sessions() -> None:
    user = MembershipFactory().user
    here, laptop = Client(), Client()
    _login(here, user.email)
    _login(laptop, user.email)
    new_password = "another long passphrase 7"
    response = here.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert here.get(TEAM_PAGE).status_code == 200
    assert laptop.get(TEAM_PAGE)["Location"].startswith(LOGIN)


def test_htmx_request_with_pending_second_factor_reloads_the_page() -> None:
    user, _ = _enrolled_user()
    MembershipFactory(user=user)
    browser = Client()
    _login(browser, user.email)
    response = browser.get(TEAM_PAGE, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("accounts:two_factor_verify"))


def test_sign_ins_failures_and_lockouts_are_in_the_audit_log(settings) -> None:
    from panel.audit.models import AuditEvent

    user = MembershipFactory().user
    assert _login(Client(), user.email).status_code == 302
    browser = Client()
    _login(browser, user.email, "wrong")
    _login(browser, "hunter2-typed-in-the-wrong-field", "wrong")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(browser, user.email, "wrong")
    events = list(AuditEvent.objects.filter(operation_id="accounts.sign_in").order_by("seq"))
    assert (events[0].outcome, events[0].actor_user_id, events[0].target_label) == ("ok", user.pk, user.email)
    assert (events[1].outcome, events[1].target_label) == ("failed", user.email)
    assert events[2].outcome == "failed" and events[2].target_label == "no such account"
    assert not AuditEvent.objects.filter(target_label__contains="hunter2").exists()
    assert events[-1].outcome == "denied" and "Locked out" in events[-1].upstream_message
    assert all(e.team_id is None for e in events)  # no team: staff see them


def test_a_wrong_second_factor_code_is_in_the_audit_log(settings) -> None:
    from panel.audit.models import AuditEvent

    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the right code at once after a wrong one
    user = MembershipFactory().user
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    browser = Client()
    _login(browser, user.email)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    browser.post(reverse("accounts:two_factor_verify"), {"token": wrong})
    browser.post(reverse("accounts:two_factor_verify"), {"token": totp_code(device)})
    events = AuditEvent.objects.filter(operation_id="accounts.second_factor").order_by("seq")
    outcomes = list(events.values_list("outcome", flat=True))
    assert outcomes == ["failed", "ok"]
