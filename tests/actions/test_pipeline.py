"""The actions pipeline: a request is a value (JSON and back), validated when made, authorised again
when run, refusable by a policy, and every refusal is in the audit log."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.actions import pipeline
from panel.actions.request import ActionRequest
from panel.actions.servers import REINSTALL, START, STOP
from panel.audit.models import AuditEvent
from panel.core.errors import InvalidInput, NotFoundError
from panel.services.context import Actor
from tests.actions.conftest import SERVER
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def _reinstall(actor: Actor) -> ActionRequest:
    return ActionRequest.create(
        REINSTALL,
        actor=actor,
        target=SERVER,
        data={"image_id": 5, "password": PASSWORD, "ssh_keys": [3]},
        reason="disk full",
        idempotency_key="k1",
    )


def test_a_request_survives_json_and_never_shows_its_password(actor) -> None:
    request = _reinstall(actor)
    text = request.to_json()
    assert PASSWORD not in text and "disk full" in text
    again = ActionRequest.from_json(text)
    assert again == request and again.input.password == PASSWORD
    assert again.actor.membership == actor.membership


def test_a_request_with_bad_input_is_never_made(actor) -> None:
    with pytest.raises(InvalidInput) as caught:
        ActionRequest.create(REINSTALL, actor=actor, target=SERVER, data={"image_id": 5, "password": "short"})
    assert "password" in caught.value.fields
    with pytest.raises(InvalidInput):
        ActionRequest.create(REINSTALL, actor=actor, target=SERVER, data={"password": PASSWORD})


def test_a_policy_refuses_before_anything_runs_and_it_is_audited(actor, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "POLICIES", [lambda requests: "Frozen during the audit."])
    with pytest.raises(pipeline.Refused, match="Frozen during the audit"):
        pipeline.submit(START, actor=actor, target=SERVER)
    event = AuditEvent.objects.get(operation_id="servers_start")
    assert event.outcome == "denied" and event.reason == "Frozen during the audit."
    assert event.target_id == SERVER


def test_a_role_that_may_not_is_refused_and_audited(team, owner) -> None:
    viewer = Actor(MembershipFactory(team=team, role=Role.VIEWER))
    with pytest.raises(pipeline.Refused, match="Viewer"):
        pipeline.submit(START, actor=viewer, target=SERVER)
    assert AuditEvent.objects.filter(operation_id="servers_start", outcome="denied").count() == 1


def test_a_server_of_an_account_the_team_does_not_hold_is_not_found(actor) -> None:
    with pytest.raises(NotFoundError):
        pipeline.submit(START, actor=actor, target="someone-else@vpsbg.example:1")


def test_a_stored_request_is_authorised_again_when_it_runs(actor) -> None:
    stored = _reinstall(actor).to_json()
    actor.membership.role = Role.OPERATOR  # demoted between the request and its run
    actor.membership.save()
    with pytest.raises(pipeline.Refused, match="Operator"):
        pipeline.run(ActionRequest.from_json(stored))


def test_a_batch_is_decided_once_and_every_request_refused_is_audited(actor, monkeypatch) -> None:
    seen: list[int] = []

    def freeze(requests) -> str:
        seen.append(len(requests))
        return "Change freeze until Monday."

    monkeypatch.setattr(pipeline, "POLICIES", [freeze])
    batch = [
        ActionRequest.create(START, actor=actor, target=SERVER),
        ActionRequest.create(STOP, actor=actor, target=SERVER),
    ]
    with pytest.raises(pipeline.Refused, match="Change freeze"):
        pipeline.check(batch)
    assert seen == [2]  # one decision for the whole batch
    assert AuditEvent.objects.filter(outcome="denied", reason="Change freeze until Monday.").count() == 2


def test_a_held_request_does_not_run(actor, monkeypatch) -> None:
    def hold(requests):
        raise pipeline.Pending("Waits for an Admin's approval.", held="approval #1")

    monkeypatch.setattr(pipeline, "POLICIES", [hold])
    with pytest.raises(pipeline.Pending) as caught:
        pipeline.submit(START, actor=actor, target=SERVER)
    assert caught.value.status == 202 and caught.value.held == "approval #1"
    assert not AuditEvent.objects.filter(operation_id="servers_start", outcome="ok").exists()
