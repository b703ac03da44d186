"""The token services used by other areas: authorization, choosing a token, using it."""
from __future__ import annotations

import pytest

from panel.accounts.permissions import ActionDenied
from panel.accounts.roles import Role
from panel.services import tokens as token_services
from panel.vault.models import ApiToken, TokenScope, TokenStatus

pytestmark = pytest.mark.django_db


def _store(team, name, scope, status=TokenStatus.OK, account="alpha"):
    token = ApiToken(team=team, name=name, scope=scope, status=status, account_id=account)
    token.set_secret(f"{name}-secret")
    token.save()
    return token


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.BILLING, Role.VIEWER])
def test_only_owners_and_admins_manage_tokens_outside_the_web(team, make_member, role, settings, free_port):
    settings.VPSBG_API_URL = f"http://127.0.0.1:{free_port}/v1"
    member = make_member(team, role)
    token = _store(team, "t", TokenScope.READ_WRITE)
    with pytest.raises(ActionDenied, match=role.label):
        token_services.add_token(actor=member, name="x", scope=TokenScope.READ_WRITE, secret="abc")
    with pytest.raises(ActionDenied):
        token_services.replace_token_secret(actor=member, token=token, secret="abc")
    with pytest.raises(ActionDenied):
        token_services.delete_token(actor=member, token=token, confirm_name="t")
    assert ApiToken.objects.count() == 1


def test_a_token_of_another_team_cannot_be_touched_through_the_service(team, other_team, make_member):
    foreign = _store(other_team, "theirs", TokenScope.READ_WRITE)
    with pytest.raises(ApiToken.DoesNotExist):
        token_services.delete_token(actor=make_member(team, Role.OWNER), token=foreign, confirm_name="theirs")
    assert ApiToken.objects.filter(pk=foreign.pk).exists()


def test_reads_prefer_a_read_only_token_and_writes_need_read_write(team):
    rw = _store(team, "rw", TokenScope.READ_WRITE)
    ro = _store(team, "ro", TokenScope.READ_ONLY)
    _store(team, "revoked", TokenScope.READ_WRITE, status=TokenStatus.REVOKED)
    assert token_services.select_token(team=team, write=False) == ro
    assert token_services.select_token(team=team, write=True) == rw


def test_no_usable_token_says_what_to_do(team):
    _store(team, "ro", TokenScope.READ_ONLY)
    _store(team, "failing", TokenScope.READ_WRITE, status=TokenStatus.FAILING)
    with pytest.raises(token_services.NoUsableToken, match="no read-write VPSBG token"):
        token_services.select_token(team=team, write=True)
    with pytest.raises(token_services.NoUsableToken, match="for this account"):
        token_services.select_token(team=team, write=False, account_id="beta")


def test_client_for_token_talks_to_vpsbg_and_stamps_last_use(team, owner, simulator):
    token = token_services.add_token(
        actor=owner, name="alpha", scope=TokenScope.READ_WRITE, secret=simulator.tokens["alpha_rw"]
    )
    with token_services.client_for_token(token) as client:
        assert client.user.get().email
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_every_token_write_is_audited_without_the_secret(team, owner, make_member, simulator):
    from panel.audit.models import AuditEvent

    secret = simulator.tokens["alpha_rw"]
    token = token_services.add_token(actor=owner, name="alpha", scope=TokenScope.READ_WRITE, secret=secret)
    with pytest.raises(token_services.TokenRejected):
        token_services.add_token(actor=owner, name="bogus", scope=TokenScope.READ_WRITE, secret="bogus-token")
    with pytest.raises(ActionDenied):
        token_services.delete_token(actor=make_member(team, Role.VIEWER), token=token, confirm_name="alpha")
    token_services.replace_token_secret(actor=owner, token=token, secret=simulator.tokens["alpha_ro"])
    del simulator.sim.tokens[simulator.tokens["alpha_ro"]]
    token_services.check_token(token.pk)  # ok -> revoked: a change, recorded
    token_services.check_token(token.pk)  # still revoked: nothing new
    token_services.delete_token(actor=owner, token=token, confirm_name="alpha")

    events = list(AuditEvent.objects.order_by("pk").values_list("operation_id", "outcome", "token_name"))
    assert events == [
        ("tokens.add", "ok", "alpha"),
        ("tokens.add", "failed", "bogus"),
        ("tokens.delete", "denied", "alpha"),
        ("tokens.replace_secret", "ok", "alpha"),
        ("tokens.check", "failed", "alpha"),
        ("tokens.delete", "ok", "alpha"),
    ]
    everything = repr(list(AuditEvent.objects.values()))
    assert secret not in everything and simulator.tokens["alpha_ro"] not in everything
