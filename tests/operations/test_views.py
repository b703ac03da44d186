"""Operation pages: list, detail with live progress (htmx polling stops with 286), cancel, scope."""

from __future__ import annotations

from panel.accounts.roles import Role
from panel.operations.models import Notification, Operation, State, StepLog


def _op(team, **fields) -> Operation:
    values = {
        "kind": "reinstall",
        "target_type": "server",
        "target_id": "ops@alpha.example:2864",
        "target_label": "server 2864",
        "state": State.WAITING,
        "progress": 40,
        "step": "Reinstalling (waiting for VPSBG)",
    }
    values.update(fields)
    return Operation.objects.create(team=team, **values)


def test_detail_shows_progress_and_keeps_polling_while_running(team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    op = _op(team)
    StepLog.objects.create(operation=op, message="Asking VPSBG to reinstall…")
    page = browser.get(op.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200
    assert '<progress value="40" max="100"' in body and "Reinstalling (waiting for VPSBG)" in body
    assert 'hx-trigger="every 2s"' in body and "Asking VPSBG to reinstall" in body
    fragment = browser.get(op.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


def test_polling_stops_with_286_when_the_operation_ended(team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    op = _op(team, state=State.FAILED, progress=20, error="VPSBG refused: image end-of-life.")
    fragment = browser.get(op.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 286
    body = fragment.content.decode()
    assert "Failed" in body and "image end-of-life" in body and "hx-trigger" not in body


def test_list_shows_running_and_ended(team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    _op(team, target_label="server running-one")
    _op(team, state=State.SUCCEEDED, target_label="server done-one", target_id="ops@alpha.example:2865")
    body = browser.get("/operations/").content.decode()
    assert body.index("running-one") < body.index("Ended") < body.index("done-one")


def test_limited_member_sees_only_their_servers(team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    browser.membership.server_scope = ["ops@alpha.example:2865"]
    browser.membership.save()
    hidden = _op(team)
    assert browser.get(hidden.get_absolute_url()).status_code == 404


def test_other_team_gets_404(team, outsider_client) -> None:
    op = _op(team)
    assert outsider_client.get(op.get_absolute_url()).status_code == 404
    assert outsider_client.post(f"/operations/{op.pk}/cancel/").status_code == 404


def test_viewer_cannot_cancel(team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    op = _op(team, state=State.QUEUED, progress=0)
    response = browser.post(f"/operations/{op.pk}/cancel/", follow=True)
    op.refresh_from_db()
    assert op.state == State.QUEUED and not op.cancel_requested
    assert "flash-error" in response.content.decode() and "Viewer" in response.content.decode()


def test_admin_cancels_a_queued_operation(team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    op = _op(team, state=State.QUEUED, progress=0, actor=browser.membership.user)
    response = browser.post(f"/operations/{op.pk}/cancel/", follow=True)
    op.refresh_from_db()
    assert op.state == State.CANCELLED
    # the result is notified to the actor in the panel, on the next page
    assert "was cancelled" in response.content.decode()
    assert Notification.objects.get(operation=op).read_at is not None


def test_server_progress_fragment(team, member_of) -> None:
    from panel.vault.models import ApiToken

    browser = member_of(Role.VIEWER)
    token = ApiToken(team=team, name="t", account_id="ops@alpha.example")
    token.set_secret("x" * 20)
    token.save()
    op = _op(team)
    body = browser.get("/operations/server/ops@alpha.example:2864/", HTTP_HX_REQUEST="true").content.decode()
    assert f"/operations/{op.pk}/" in body and "<progress" in body
    assert browser.get("/operations/server/ops@alpha.example:9999/").content == b""
    assert browser.get("/operations/server/nonsense/").status_code == 404


def test_a_finished_deploy_links_its_new_server_in_the_last_poll(team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    done = {"state": State.SUCCEEDED, "progress": 100, "data": {"servers": ["ops@alpha.example:3001"]}}
    op = _op(team, kind="deploy", **done)
    fragment = browser.get(op.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 286
    assert 'href="/servers/ops@alpha.example:3001/"' in fragment.content.decode()


def test_the_operations_own_page_gets_its_step_log_with_each_poll(team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    op = _op(team)
    page = browser.get(op.get_absolute_url()).content.decode()
    assert f'hx-get="{op.get_absolute_url()}?log=1"' in page and 'id="op-log"' in page
    StepLog.objects.create(operation=op, message="VPSBG says: installing packages")
    fragment = browser.get(f"{op.get_absolute_url()}?log=1", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="op-log" class="table-scroll" hx-swap-oob="true"' in fragment
    assert "installing packages" in fragment
    plain = browser.get(op.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "op-log" not in plain  # the server page's embedded progress has no log


def test_the_facts_follow_the_progress_to_the_end(team, member_of) -> None:
    from django.utils import timezone

    browser = member_of(Role.VIEWER)
    op = _op(team, state=State.QUEUED, progress=0)
    page = browser.get(op.get_absolute_url()).content.decode()
    assert "not yet" in page and "<dt>Deliveries</dt><dd>0</dd>" in page
    now = timezone.now()
    Operation.objects.filter(pk=op.pk).update(
        state=State.SUCCEEDED, progress=100, step="Done", started_at=now, finished_at=now, attempts=1
    )
    fragment = browser.get(f"{op.get_absolute_url()}?log=1", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="op-facts" hx-swap-oob="true"' in fragment  # swapped with the last poll
    assert "not yet" not in fragment and "<dt>Deliveries</dt><dd>1</dd>" in fragment


def test_cancel_is_offered_only_before_vpsbg_was_asked(team, member_of) -> None:
    browser = member_of(Role.OWNER)
    before = _op(team, state=State.RUNNING, data={"step_index": 0, "step_started": 1.0})
    assert ">Cancel</button>" in browser.get(before.get_absolute_url()).content.decode()
    asked = _op(team, target_id="ops@alpha.example:2865", data={"step_index": 2, "step_started": 1.0})
    body = browser.get(asked.get_absolute_url()).content.decode()
    assert ">Cancel</button>" not in body and "can no longer be cancelled" in body


def test_an_operation_no_worker_moves_says_so(team, member_of) -> None:
    from datetime import timedelta

    from django.utils import timezone

    browser = member_of(Role.VIEWER)
    old = timezone.now() - timedelta(minutes=10)
    held = _op(team, lease="gone", heartbeat_at=old, worker="ops@host")
    assert "No word from its worker for 10 min" in browser.get(held.get_absolute_url()).content.decode()
    queued = _op(team, state=State.QUEUED, target_id="ops@alpha.example:2865")
    Operation.objects.filter(pk=queued.pk).update(created_at=old)
    assert "Waiting for a worker for 10 min" in browser.get(queued.get_absolute_url()).content.decode()
    fresh = _op(team, lease="live", heartbeat_at=timezone.now(), target_id="ops@alpha.example:2866")
    body = browser.get(fresh.get_absolute_url()).content.decode()
    assert "No word from its worker" not in body and "Waiting for a worker" not in body
