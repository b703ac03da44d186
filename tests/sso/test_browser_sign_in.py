"""In a real Chromium, through the whole redirect flow to a real provider and back."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from django.db import connections

from panel.accounts.models import Membership, User
from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.sso.models import RoleRule, TeamSignIn
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.web.browser import BROWSER, csp_errors, expect, open_page, shoot, sign_in

pytestmark = BROWSER
T = TypeVar("T")


def db(query: Callable[[], T]) -> T:
    """Run an ORM read while Playwright runs: in a thread of its own whose connection is closed after.

    Queried from the test's own thread once Playwright has started, Django would open a connection
    inside Playwright's greenlet that nothing closes (PostgreSQL then refuses to drop the test database).
    """
    def run() -> T:
        try:
            return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def team(transactional_db, idp):
    """A team that signs in with the test provider: example.com may join, group ops → operator."""
    team = TeamFactory(name="Ops team", slug="ops-team")
    TeamSignIn.objects.create(team=team, provider="test", allowed_domains=["example.com"])
    RoleRule.objects.create(team=team, claim="groups", value="ops", role=Role.OPERATOR)
    RoleRule.objects.create(team=team, claim="groups", value="admins", role=Role.ADMIN)
    MembershipFactory(team=team, role=Role.OWNER)  # an owner who does not sign in with the provider
    return team


@pytest.fixture
def page(live_server):
    yield from open_page(live_server.url)


def _sign_in_at_provider(page, login: str | None, next_url: str = "/team/") -> None:
    """Click "Sign in with Test IdP"; sign in there as `login`, or (None) ride the provider's session."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.click("a[data-provider=test]")
    if login is not None:
        page.wait_for_url("**/interaction/**")
        page.fill("input[name=login]", login)
        page.click("button[type=submit]")


def _sign_out(page) -> None:
    page.click("summary[aria-label='User menu']")
    page.click("form.signout button")
    page.wait_for_url("**/accounts/login/")


def test_groups_decide_the_role_at_every_sign_in(team, idp, page) -> None:
    idp.set_accounts({"ann": {"email": "ann@example.com", "email_verified": True, "name": "Ann Ops",
                              "groups": ["ops"]}})
    _sign_in_at_provider(page, "ann")
    page.wait_for_url("**/team/")
    expect(page.locator("main")).to_contain_text("Ops team")
    ann = db(lambda: User.objects.get(email="ann@example.com"))
    assert db(lambda: Membership.objects.get(team=team, user=ann).role) == Role.OPERATOR
    assert not ann.has_usable_password()

    idp.set_accounts({"ann": {"email": "ann@example.com", "email_verified": True,
                              "groups": ["ops", "admins"]}})
    _sign_out(page)
    _sign_in_at_provider(page, None)  # still signed in at the provider: straight back
    page.wait_for_url("**/team/")
    assert db(lambda: Membership.objects.get(team=team, user=ann).role) == Role.ADMIN

    idp.set_accounts({"ann": {"email": "ann@example.com", "email_verified": True, "groups": []}})
    _sign_out(page)
    _sign_in_at_provider(page, None)
    page.wait_for_url("**/teams/**")
    assert not db(lambda: Membership.objects.filter(team=team, user=ann).exists())
    operations = db(lambda: list(
        AuditEvent.objects.filter(team=team).order_by("pk").values_list("operation_id", flat=True)))
    assert operations == ["sso.membership_granted", "sso.role_synced", "sso.membership_removed"]
    sign_ins = db(lambda: list(AuditEvent.objects.filter(
        operation_id="accounts.sign_in", outcome="ok", target_label=ann.email,
    ).values_list("params", flat=True)))
    assert [p["method"] for p in sign_ins] == ["oidc"] * 3
    assert not csp_errors(page)


@pytest.fixture
def strict_team(team):
    team.require_2fa = True
    team.save()
    return team


def test_provider_mfa_is_trusted_and_a_password_only_sign_in_asks_for_totp(strict_team, idp, page) -> None:
    idp.set_accounts({
        "mfa": {"email": "mfa@example.com", "email_verified": True, "groups": ["ops"], "amr": ["pwd", "otp"]},
        "pwd": {"email": "pwd@example.com", "email_verified": True, "groups": ["ops"], "amr": ["pwd"]},
    })
    _sign_in_at_provider(page, "mfa")
    page.wait_for_url("**/team/")
    expect(page.locator("main")).to_contain_text("Ops team")
    _sign_out(page)

    page.context.clear_cookies()  # another person at the same browser: a new provider session too
    _sign_in_at_provider(page, "pwd")
    page.wait_for_url("**/accounts/2fa/setup/**")  # the team requires a second factor; none proven


def test_a_disallowed_domain_gets_no_account(team, idp, page) -> None:
    idp.set_accounts({"eve": {"email": "eve@elsewhere.org", "email_verified": True, "groups": ["ops"]}})
    _sign_in_at_provider(page, "eve")
    page.wait_for_url("**/accounts/login/")
    expect(page.locator(".flashes")).to_contain_text("no team of this panel lets your groups in")
    shoot(page, "sign-in-refused")
    assert not db(lambda: User.objects.filter(email="eve@elsewhere.org").exists())
    assert db(lambda: AuditEvent.objects.filter(
        team=team, operation_id="sso.domain_refused", outcome="denied").exists())
    refused = db(lambda: AuditEvent.objects.get(operation_id="accounts.sign_in", outcome="denied"))
    assert (refused.params["provider"], refused.target_label) == ("test", "eve@elsewhere.org")


@pytest.fixture
def owner_of_new_team(transactional_db, idp):
    membership = MembershipFactory(role=Role.OWNER, team=TeamFactory(name="Fresh team", slug="fresh"))
    membership.user.email  # loaded before Playwright starts
    return membership


def test_an_owner_sets_up_provider_sign_in_on_the_team_page(owner_of_new_team, idp, page) -> None:
    sign_in(page, owner_of_new_team.user.email, PASSWORD, next_url="/team/")
    page.click("text=How members sign in")
    page.wait_for_url("**/team/sign-in/")
    page.select_option("select[name=provider]", "test")
    page.fill("input[name=domains]", "example.com")
    page.click("text=Save sign-in settings")
    expect(page.locator(".flashes")).to_contain_text("Sign-in settings saved.")
    page.fill("input[name=value]", "ops")
    page.select_option("select[name=role]", "operator")
    page.click("text=Add rule")
    expect(page.locator("#role-rules")).to_contain_text("Operator")
    shoot(page, "team-sign-in")
    page.uncheck("input[name=password_sign_in]")
    page.click("text=Save sign-in settings")  # refused: no owner signs in with the provider yet
    expect(page.locator("main")).to_contain_text("no owner would have a way in")
    assert not csp_errors(page)


@pytest.fixture
def enrolled(team):
    """A member invited by email, with the panel's TOTP set up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    membership = MembershipFactory(team=team, role=Role.VIEWER,
                                   user=UserFactory(email="tom@example.com"))
    TOTPDevice.objects.create(user=membership.user, name="phone", confirmed=True)
    return membership


def test_an_enrolled_person_gives_the_panels_code_unless_the_provider_checked_a_second_factor(
        enrolled, idp, page) -> None:
    idp.set_accounts({"tom": {"email": "tom@example.com", "email_verified": True, "amr": ["pwd"]}})
    _sign_in_at_provider(page, "tom")
    page.wait_for_url("**/accounts/2fa/verify/**")
    page.context.clear_cookies()
    idp.set_accounts({"tom": {"email": "tom@example.com", "email_verified": True, "amr": ["pwd", "hwk"]}})
    _sign_in_at_provider(page, "tom")
    page.wait_for_url("**/team/")
    expect(page.locator("main")).to_contain_text("Ops team")
