"""The beat task `panel.vault.tasks.check_tokens` flags revoked and failing tokens; the page shows them."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.urls import reverse

from panel.accounts.roles import Role
from panel.services import tokens as token_services
from panel.vault import tasks
from panel.vault.models import ApiToken, TokenScope, TokenStatus

pytestmark = pytest.mark.django_db


def _save(owner, name, secret, scope=TokenScope.READ_WRITE):
    return token_services.add_token(actor=owner, name=name, scope=scope, secret=secret)


def test_the_check_is_scheduled_on_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["vault-check-tokens"]
    assert entry["task"] == "panel.vault.tasks.check_tokens" == tasks.check_tokens.name
    assert 60 <= entry["schedule"] <= 24 * 3600


def test_revoked_token_is_flagged_and_shown_in_a_banner(team, owner, client_for, simulator):
    good = _save(owner, "good", simulator.tokens["alpha_rw"])
    doomed = _save(owner, "doomed", simulator.tokens["beta_rw"])
    del simulator.sim.tokens[simulator.tokens["beta_rw"]]  # revoked at VPSBG

    counts = tasks.check_tokens.apply().get()

    assert counts == {TokenStatus.OK: 1, TokenStatus.REVOKED: 1}
    assert ApiToken.objects.get(pk=good.pk).status == TokenStatus.OK
    doomed.refresh_from_db()
    assert doomed.status == TokenStatus.REVOKED and "401" in doomed.status_message
    page = client_for(team, Role.VIEWER).get(reverse("vault:token_list")).content.decode()
    assert 'id="token-attention"' in page and "1 token needs attention" in page
    assert "doomed</strong> — Revoked" in page


def test_failing_upstream_marks_tokens_failing_without_raising(team, owner, simulator):
    token = _save(owner, "good", simulator.tokens["alpha_rw"])
    simulator.sim.faults.add(status=500)

    counts = tasks.check_tokens.apply().get()

    assert counts == {TokenStatus.FAILING: 1}
    token.refresh_from_db()
    assert token.status == TokenStatus.FAILING and token.status_message
    assert simulator.tokens["alpha_rw"] not in token.status_message

    simulator.sim.faults.clear()
    assert tasks.check_token.apply(args=[token.pk]).get() == TokenStatus.OK
    token.refresh_from_db()
    assert token.status == TokenStatus.OK and token.status_message == ""


def test_one_undecryptable_token_does_not_stop_the_others(team, owner, simulator):
    lost = ApiToken.objects.create(
        team=team, name="lost", last4="zzzz",
        secret_encrypted=Fernet(Fernet.generate_key()).encrypt(b"lost-token").decode(),
    )
    good = _save(owner, "good", simulator.tokens["alpha_rw"])

    counts = tasks.check_tokens.apply().get()

    assert counts == {TokenStatus.FAILING: 1, TokenStatus.OK: 1}
    lost.refresh_from_db()
    assert lost.status == TokenStatus.FAILING and "cannot be decrypted" in lost.status_message
    assert ApiToken.objects.get(pk=good.pk).status == TokenStatus.OK


def test_unexpected_crash_in_one_check_is_contained(team, owner, simulator, monkeypatch):
    token = _save(owner, "good", simulator.tokens["alpha_rw"])

    def boom(secret):
        raise RuntimeError(f"kaboom {secret}")

    monkeypatch.setattr(token_services, "identify_token", boom)
    assert tasks.check_tokens.apply().get() == {TokenStatus.FAILING: 1}
    token.refresh_from_db()
    assert token.status_message == "Check failed: RuntimeError"


def test_a_deleted_token_is_skipped(db):
    assert tasks.check_token.apply(args=[987654]).get() is None


def test_a_403_on_a_write_marks_the_token_read_only(team, owner, simulator):
    token = _save(owner, "declared rw", simulator.tokens["alpha_ro"])
    assert token.scope == TokenScope.READ_WRITE  # the declared scope is the user's choice

    token_services.mark_read_only(token, "VPSBG refused servers_reboot (403).")

    token.refresh_from_db()
    assert token.scope == TokenScope.READ_ONLY and "403" in token.status_message


def test_record_token_use_stamps_last_used(team, owner, simulator):
    token = _save(owner, "t", simulator.tokens["alpha_rw"])
    assert token.last_used_at is None
    token_services.record_token_use(token)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
