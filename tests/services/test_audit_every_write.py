"""Every write (and sensitive read) through the services leaves exactly one audit event, with the
right outcome for a success, an upstream failure and a denial, and no secret in it.

The operations are taken from the reference (a guard fails when one has no case), each called
through its registered service against the simulator over HTTP.
"""

from __future__ import annotations

import json

import pytest
from django.forms.models import model_to_dict

from panel.accounts.permissions import ROLE_PERMISSIONS
from panel.accounts.roles import Role
from panel.core.errors import NotAllowed, UpstreamUnavailable
from panel.services import registry
from panel.services.execution import AUDITED_READS, is_write, needs_read_write

from .cases import CASES, PASSWORD, SETUPS, World

registry.load_all()
AUDITED = sorted(op for op in registry.spec_operations() if is_write(op) or op in AUDITED_READS)


def test_every_audited_operation_has_a_case() -> None:
    assert len([op for op in AUDITED if is_write(op)]) == 65  # every non-GET but price quotes/downloads
    assert sorted(set(AUDITED) - set(CASES)) == []
    assert sorted(set(CASES) - set(AUDITED)) == []


def _call(op: str, actor, simulator, **extra):
    world = World(simulator)
    kwargs = CASES[op](world)
    if op in SETUPS and actor.role == Role.OWNER:
        SETUPS[op](world, actor, kwargs)
    registry.SERVICES[op](actor=actor, **{**kwargs, **extra})
    return kwargs


def _dump(event) -> str:
    return json.dumps(model_to_dict(event), default=str)


@pytest.mark.parametrize("op", AUDITED)
def test_success_is_one_ok_event_without_secrets(op, owner, tokens, simulator, events) -> None:
    kwargs = _call(op, owner, simulator)
    [event] = events(op)
    assert event.outcome == "ok", event.reason
    assert event.actor_id == owner.user_id and event.team_id == owner.team_id
    # writes (any non-GET) need a read-write token; a GET prefers alpha's read-only one (beta has none)
    assert event.token_name in (("alpha_rw", "beta_rw") if needs_read_write(op) else ("alpha_ro", "beta_rw"))
    text = _dump(event)
    assert PASSWORD not in text
    for secret in simulator.tokens.values():
        assert secret not in text
    for key in ("password", "secret_key", "otp"):  # passwords, the 2FA secret and its codes
        if key in kwargs:
            assert event.params[key] == "[redacted]", key


@pytest.mark.parametrize("op", AUDITED)
def test_upstream_failure_is_one_failed_event(op, owner, tokens, simulator, events) -> None:
    simulator.sim.faults.add(operation=op, status=500)
    with pytest.raises(UpstreamUnavailable, match="VPSBG unavailable"):
        _call(op, owner, simulator)
    [event] = events(op)
    assert event.outcome == "failed"
    assert event.upstream_status == 500
    assert "VPSBG unavailable" in event.reason


DENIABLE = [op for op in AUDITED if Role.VIEWER not in ROLE_PERMISSIONS[op]]


@pytest.mark.parametrize("op", DENIABLE)
def test_denial_is_one_denied_event_and_no_call(op, member, tokens, simulator, events) -> None:
    viewer = member(Role.VIEWER)
    simulator.sim.faults.add(operation=op, status=599)  # would show if the call went out
    with pytest.raises(NotAllowed, match="Viewer"):
        _call(op, viewer, simulator)
    [event] = events(op)
    assert event.outcome == "denied"
    assert event.upstream_status is None
    assert "may not" in event.reason
