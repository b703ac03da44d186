"""The progress bar moves while VPSBG works: estimated from the step and the time it has taken
against what the step usually takes, on every poll of the page, even when no worker writes the row
(between polls, or through a retry's backoff). A fake clock, never a real wait."""

from __future__ import annotations

from itertools import pairwise

import pytest

from panel.accounts.roles import Role
from panel.operations import runner
from panel.operations.kinds.registry import KINDS
from panel.operations.models import Operation, State

pytestmark = pytest.mark.django_db
STARTED = 1_800_000_000.0


def _waiting(team, **data) -> Operation:
    """A reinstall parked in its last step (VPSBG reinstalling), last written at 20 %."""
    return Operation.objects.create(
        team=team, kind="reinstall", target_type="server", target_id="ops@alpha.example:2864",
        target_label="ubuntu-2gb", state=State.WAITING, progress=20, step="Reinstalling (waiting for VPSBG)",
        data={"step_index": 2, "step_started": STARTED, **data},
    )  # fmt: skip


def test_the_estimate_keeps_moving_through_the_wait_and_stops_short_of_the_step(team, monkeypatch) -> None:
    op = _waiting(team)
    step = KINDS["reinstall"].steps[2]
    seen = []
    for elapsed in (0, 5, 15, 30, 60, 120, 300, 900):
        monkeypatch.setattr(runner, "clock", lambda e=elapsed: STARTED + e)
        seen.append(op.progress_now)
    assert seen[0] == 20  # where the last step left it
    assert all(later > earlier for earlier, later in pairwise(seen)), seen
    assert seen[-1] < step.progress  # only the step's end reaches its mark
    monkeypatch.setattr(runner, "clock", lambda: STARTED + step.expected)
    assert op.progress_now == 20 + (min(step.progress, 99) - 1 - 20) // 2  # half way at the usual time


def test_the_page_shows_the_estimate_even_when_no_worker_wrote_the_row(team, member_of, monkeypatch) -> None:
    browser = member_of(Role.VIEWER)
    op = _waiting(team, retries=3)  # in a retry's backoff: the row says 20 % for minutes
    monkeypatch.setattr(runner, "clock", lambda: STARTED + 120)
    expected = op.progress_now
    assert expected > 20
    fragment = browser.get(op.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert f'<progress value="{expected}" max="100"' in fragment and f"{expected}% (estimated)" in fragment
    monkeypatch.setattr(runner, "clock", lambda: STARTED + 240)
    later = browser.get(op.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert f'<progress value="{op.progress_now}" max="100"' in later and op.progress_now > expected


def test_ended_or_queued_operations_show_what_the_row_says(team, monkeypatch) -> None:
    monkeypatch.setattr(runner, "clock", lambda: STARTED + 600)
    done = _waiting(team)
    done.state, done.progress = State.SUCCEEDED, 100
    assert done.progress_now == 100
    failed = _waiting(team)
    failed.state = State.FAILED
    assert failed.progress_now == 20  # where it stopped, not an estimate
    queued = Operation.objects.create(team=team, kind="reinstall", state=State.QUEUED, progress=0)
    assert queued.progress_now == 0
    unknown = _waiting(team)
    unknown.kind = "retired-kind"
    assert unknown.progress_now == 20
