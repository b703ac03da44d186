"""Services of the VPSBG account itself: the 2FA secret is an audited, never-cached read; the
profile update sends only what it is given; limited members may not change the account."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.core.errors import InvalidInput, NotAllowed, NotFoundError
from panel.services import account
from panel.services.context import Actor
from tests.services.conftest import ALPHA, BETA
from vpsbg_api.simulator import DEMO_2FA_SECRET
from vpsbg_api.simulator.keys import totp

pytestmark = pytest.mark.django_db


def test_secret_is_audited_every_time_and_never_cached(tokens, owner, events) -> None:
    first = account.user_2fa_get_secret(actor=Actor(owner), account=BETA)
    second = account.user_2fa_get_secret(actor=Actor(owner), account=BETA)
    assert first.secret_key and first.otp_auth_url.startswith("otpauth://")
    assert second.secret_key == first.secret_key  # the simulator keeps the pending secret
    audited = events("user_2fa_get_secret")
    assert [e.outcome for e in audited] == ["ok", "ok"]  # two reads, two events: nothing cached
    assert first.secret_key not in str([e.params for e in audited])


def test_enable_keeps_the_secret_out_of_the_audit_log(tokens, owner, events, simulator) -> None:
    secret = account.user_2fa_get_secret(actor=Actor(owner), account=BETA).secret_key
    code = int(totp(secret, simulator.sim.clock.now()))
    account.user_2fa_enable(actor=Actor(owner), otp=code, secret_key=secret, account=BETA, reason="policy")
    event = events("user_2fa_enable")[-1]
    assert event.outcome == "ok" and secret not in str(event.params)
    assert account.user_get(actor=Actor(owner), account=BETA).two_factor_enabled is True


def test_disable_with_a_wrong_code_is_a_field_error(tokens, owner, simulator) -> None:
    good = int(totp(DEMO_2FA_SECRET, simulator.sim.clock.now()))
    with pytest.raises(InvalidInput) as caught:
        account.user_2fa_disable(actor=Actor(owner), otp=(good + 1) % 1_000_000, account=ALPHA)
    assert "otp" in caught.value.fields


def test_profile_update_sends_only_the_given_fields(tokens, owner, events) -> None:
    user = account.user_update(actor=Actor(owner), city="Plovdiv", account=ALPHA)
    assert user.city == "Plovdiv" and user.company_name  # the rest is untouched
    assert {k: v for k, v in events("user_update")[-1].params.items() if v is not None} == {"city": "Plovdiv"}


def test_only_the_owner_sees_the_secret(tokens, member, events) -> None:
    with pytest.raises(NotAllowed):
        account.user_2fa_get_secret(actor=Actor(member(Role.ADMIN)), account=BETA)
    assert events("user_2fa_get_secret")[-1].outcome == "denied"


def test_limited_member_may_not_change_the_affiliate(tokens, member, events) -> None:
    limited = member(Role.OWNER, scope=[f"{ALPHA}:2864"])
    with pytest.raises(NotAllowed):
        account.affiliate_update_referral_code(actor=Actor(limited), referral_code="limited1", account=ALPHA)
    assert events("affiliate_update_referral_code")[-1].outcome == "denied"


def test_inactive_affiliate_is_not_found_and_activation_works(tokens, owner) -> None:
    with pytest.raises(NotFoundError):
        account.affiliate_get(actor=Actor(owner), account=BETA)
    activated = account.affiliate_activate(actor=Actor(owner), account=BETA)
    assert activated.referral_url and activated.commission == 5
    page = account.affiliate_conversions_list(actor=Actor(owner), account=BETA, page=1)
    assert page.items == [] and page.current_page == 1


def test_paged_lists_of_an_active_affiliate(tokens, owner) -> None:
    conversions = account.affiliate_conversions_list(actor=Actor(owner), account=ALPHA)
    payouts = account.affiliate_payouts_list(actor=Actor(owner), account=ALPHA, page=1)
    assert conversions.items[0]["order_id"] == 7390 and payouts.total == 1
