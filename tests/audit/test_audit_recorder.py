"""record(): what one audit event holds, and what it never holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import RequestFactory

from panel.accounts.models import User
from panel.audit.chain import verify
from panel.audit.models import AuditEvent
from panel.audit.recorder import record


def test_event_holds_the_facts_of_the_action(owner, team):
    request = RequestFactory().post(
        "/servers/7/reinstall",
        HTTP_USER_AGENT="Firefox/140",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_REQUEST_ID="req-12345678",
    )
    event = record(
        actor=owner.user,
        team=team,
        operation_id="servers_reinstall",
        target_type="server",
        target_id=7,
        target_label="web-1",
        token_id=3,
        token_name="prod rw",
        params={"image_id": 12, "password": "pw!"},
        outcome="failed",
        upstream_status=422,
        upstream_message="The image is not available.",
        request=request,
        operation_url="/operations/5/",
        reason="customer asked",
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id == owner.user.pk and event.actor_user_id == owner.user.pk
    assert event.actor_name == f"Olive Owner <{owner.user.email}>"
    assert (event.team_ref_id, event.team_name) == (team.pk, "Acme")
    assert (event.target_type, event.target_id, event.target_label) == ("server", "7", "web-1")
    assert (event.token_id, event.token_name) == (3, "prod rw")
    assert event.params == {"image_id": 12, "password": "[redacted]"}
    assert (event.outcome, event.upstream_status) == ("failed", 422)
    assert event.upstream_message == "The image is not available."
    assert (event.request_id, event.client_ip, event.user_agent) == (
        "req-12345678",
        "203.0.113.9",
        "Firefox/140",
    )
    assert (event.operation_url, event.reason) == ("/operations/5/", "customer asked")
    assert event.created_at.utcoffset() == dt.timedelta(0)


def test_request_id_set_by_the_middleware_wins(owner):
    request = RequestFactory().get("/", REMOTE_ADDR="::ffff:198.51.100.4", HTTP_X_REQUEST_ID="from-client-x")
    request.request_id = "from-middleware-1"
    event = record(actor=owner.user, operation_id="invoices_download", outcome="ok", request=request)
    assert (event.request_id, event.client_ip) == ("from-middleware-1", "198.51.100.4")


def test_actor_name_survives_user_deletion(owner, team):
    event = record(actor=owner.user, team=team, operation_id="servers_stop", outcome="ok")
    user_pk = owner.user.pk
    User.objects.filter(pk=user_pk).delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id is None
    assert event.actor_user_id == user_pk and event.actor_name.startswith("Olive Owner")
    assert verify().ok  # the links are not part of the hash


def test_team_name_survives_team_deletion(owner, team):
    event = record(actor=owner.user, team=team, operation_id="servers_stop", outcome="ok")
    team_pk = team.pk
    team.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.team_id, event.team_ref_id, event.team_name) == (None, team_pk, "Acme")
    assert verify().ok


def test_api_token_actor_and_system_actor(owner, team):
    by_token = record(
        actor=owner.user,
        api_token_label="#4 ci-deploy",
        team=team,
        operation_id="servers_start",
        outcome="ok",
    )
    assert by_token.actor_api_token == "#4 ci-deploy"
    assert "ci-deploy" in by_token.actor_display
    assert record(operation_id="servers_start", outcome="ok").actor_name == "system"
    anon = record(actor=AnonymousUser(), operation_id="servers_start", outcome="denied")
    assert (anon.actor_id, anon.actor_name) == (None, "anonymous")


def test_event_commits_and_rolls_back_with_the_change(owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=owner.user, operation_id="servers_stop", outcome="ok")
        raise RuntimeError("the local change failed")
    assert not AuditEvent.objects.exists()
    record(actor=owner.user, operation_id="servers_stop", outcome="ok")
    result = verify()
    assert result.ok and result.checked == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"operation_id": "", "outcome": "ok"}, "operation_id"),
        ({"operation_id": "x", "outcome": "success"}, "outcome"),
        ({"operation_id": "x", "outcome": "ok", "params": ["not", "a", "dict"]}, "params"),
        ({"operation_id": "x", "outcome": "ok", "token_id": "abc"}, "token_id"),
    ],
)
def test_caller_mistakes_are_clear_errors(db, kwargs, message):
    with pytest.raises(ValueError, match=message):
        record(**kwargs)
    assert not AuditEvent.objects.exists()


def test_hostile_text_is_cleaned_not_crashing(db):
    event = record(
        operation_id="servers_update_hostname",
        outcome="failed",
        target_label="x" * 1000 + "\x00",
        upstream_status="not a number",
        upstream_message="rejected header Authorization: Bearer abcdefghijklmnop",
        operation_url="javascript:alert(1)",
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert len(event.target_label) == 255 and "\x00" not in event.target_label
    assert event.upstream_status is None
    assert "abcdefghijklmnop" not in event.upstream_message
    assert event.operation_url == ""
    assert verify().ok


def test_the_target_reads_once_when_its_label_is_its_id(db) -> None:
    from panel.audit.recorder import record

    same = record(operation_id="servers_stop", outcome="ok", target_type="server",
                  target_id="ops@alpha.example:2866", target_label="ops@alpha.example:2866")
    named = record(operation_id="servers_stop", outcome="ok", target_type="server",
                   target_id="ops@alpha.example:2866", target_label="web-02.alpha.example")
    assert same.target_display == "server ops@alpha.example:2866"
    assert named.target_display == "server ops@alpha.example:2866 (web-02.alpha.example)"
