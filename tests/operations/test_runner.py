"""The step engine, driven synchronously (the task body called directly) against the simulator."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from panel.core.errors import Busy, InvalidInput, NotAllowed, NotFoundError
from panel.operations import services
from panel.operations.models import Notification, Operation, OperationLock, PaymentAttempt, State, StepMark

from .conftest import ALPHA, run_to_end

SERVER = f"{ALPHA}:2864"  # active, unlocked


def start(actor, kind: str, **params) -> Operation:
    return services.start(actor=actor, kind=kind, params=params)


def test_reinstall_runs_to_success_with_one_call(owner, tokens, sleeps, calls) -> None:
    op = start(owner, "reinstall", server=SERVER, image_id=80, password="n3w-secret-pw")
    assert op.state == State.QUEUED and op.secret and "n3w-secret-pw" not in op.secret
    op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error
    assert op.progress == 100 and op.finished_at is not None
    assert calls("servers_reinstall") == 1
    assert op.secret == ""  # wiped at the end
    assert not OperationLock.objects.filter(operation=op).exists()
    event = AuditEvent.objects.get(operation_id="servers_reinstall")
    assert event.operation_url == op.get_absolute_url()
    assert "n3w-secret-pw" not in str(event.params)
    assert Notification.objects.filter(user=owner.user, operation=op).exists()
    messages = list(op.log.values_list("message", flat=True))
    assert any("Reinstalling" in m for m in messages)


def test_redelivery_after_the_call_waits_instead_of_repeating(owner, tokens, sleeps, calls) -> None:
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    StepMark.objects.create(operation=op, step="reinstall", done=False)  # a worker died mid-call...
    from panel.services import servers

    servers.servers_reinstall(actor=owner, server=SERVER, image_id=80)  # ...after VPSBG accepted it
    Operation.objects.filter(pk=op.pk).update(data={"step_index": 1})
    op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error
    assert calls("servers_reinstall") == 1
    assert any("not repeated" in m for m in op.log.values_list("message", flat=True))


def test_second_writer_on_the_same_server_is_busy(owner, tokens) -> None:
    first = start(owner, "reinstall", server=SERVER, image_id=80)
    with pytest.raises(Busy, match=rf"\(operation {first.pk}\) is running"):
        start(owner, "rescue_on", server=SERVER)
    assert Operation.objects.count() == 1


def test_idempotency_key_returns_the_same_operation(owner, tokens) -> None:
    a = services.start(actor=owner, kind="rescue_on", params={"server": SERVER}, idempotency_key="k1")
    b = services.start(actor=owner, kind="rescue_on", params={"server": SERVER}, idempotency_key="k1")
    assert a.pk == b.pk


def test_viewer_may_not_start_and_limited_member_sees_404(member, tokens) -> None:
    with pytest.raises(NotAllowed):
        start(member(Role.VIEWER), "reinstall", server=SERVER, image_id=80)
    limited = member(Role.ADMIN, scope=[f"{ALPHA}:2865"])
    with pytest.raises(NotFoundError):
        start(limited, "reinstall", server=SERVER, image_id=80)


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("reinstall", {"server": SERVER}),
        ("reinstall", {"server": "nonsense", "image_id": 3}),
        ("reinstall", {"server": SERVER, "image_id": "x"}),
        ("password", {"server": SERVER, "password": "short"}),
        ("pay_orders", {"orders": []}),
        ("deploy", {"name": "a", "plan": "vps-1", "billing_cycle": 1}),
        ("nope", {}),
    ],
)
def test_bad_input_is_a_clear_error(owner, tokens, kind, params) -> None:
    with pytest.raises((InvalidInput, NotFoundError)):
        start(owner, kind, **params)


def test_demoted_member_is_refused_when_the_task_runs(owner, tokens, sleeps, calls) -> None:
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    owner.role = Role.VIEWER
    owner.save()
    op = run_to_end(op)
    assert op.state == State.FAILED and "No longer allowed" in op.error
    assert calls("servers_reinstall") == 0


def test_cancel_before_the_destructive_step(owner, tokens, sleeps, calls) -> None:
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    op = services.cancel(actor=owner, operation=op)
    assert op.state == State.CANCELLED
    assert run_to_end(op).state == State.CANCELLED
    assert calls("servers_reinstall") == 0
    assert not OperationLock.objects.exists()


def test_cancel_after_the_destructive_step_is_refused(owner, tokens) -> None:
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    Operation.objects.filter(pk=op.pk).update(state=State.WAITING, data={"step_index": 2})
    with pytest.raises(InvalidInput, match="can no longer be cancelled"):
        services.cancel(actor=owner, operation=op)


def test_transient_errors_are_retried_then_succeed(owner, tokens, sleeps, simulator, calls) -> None:
    simulator.sim.faults.add(operation="servers_get", status=503, count=2)
    simulator.sim.faults.add(operation="servers_reinstall", status=429, count=1)
    op = run_to_end(start(owner, "reinstall", server=SERVER, image_id=80))
    assert op.state == State.SUCCEEDED, op.error
    assert calls("servers_reinstall") == 1
    assert 1.0 in sleeps  # the 429's Retry-After (1 s) was honoured


def test_persistent_outage_fails_with_a_clear_message(owner, tokens, sleeps, simulator) -> None:
    simulator.sim.faults.add(operation="servers_get", status=503)
    op = run_to_end(start(owner, "reinstall", server=SERVER, image_id=80))
    assert op.state == State.FAILED
    assert "gave up after" in op.error and "VPSBG unavailable" in op.error


def test_step_deadline_fails_the_operation(owner, tokens, sleeps, settings) -> None:
    settings.OPERATIONS_STEP_DEADLINE = 0
    op = start(owner, "reinstall", server=f"{ALPHA}:2870", image_id=80)  # locked mid-reinstall already
    op = run_to_end(op)
    assert op.state == State.FAILED
    assert (
        op.error.startswith("VPSBG has not finished the reinstall after 0 s")
        and "check the server" in op.error
    )


def test_too_many_deliveries_fail_instead_of_looping(owner, tokens, settings) -> None:
    from datetime import timedelta

    from django.utils import timezone

    settings.OPERATIONS_MAX_ATTEMPTS = 2
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    dead = timezone.now() - timedelta(hours=1)  # the second delivery died holding the lease
    Operation.objects.filter(pk=op.pk).update(
        attempts=2, lease="dead", heartbeat_at=dead, state=State.RUNNING
    )
    op = run_to_end(op)
    assert op.state == State.FAILED and "delivered 3 times" in op.error


def test_a_duplicate_delivery_does_nothing_while_the_lease_is_fresh(owner, tokens) -> None:
    from django.utils import timezone

    op = start(owner, "reinstall", server=SERVER, image_id=80)
    Operation.objects.filter(pk=op.pk).update(lease="other", heartbeat_at=timezone.now(), state=State.RUNNING)
    from panel.operations import runner

    assert runner.run(op.pk) is None
    op.refresh_from_db()
    assert op.attempts == 0 and op.state == State.RUNNING


def test_sweeper_resumes_a_stuck_operation(owner, tokens, settings) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from panel.operations import sweeper

    op = start(owner, "reinstall", server=SERVER, image_id=80)
    old = timezone.now() - timedelta(hours=1)
    Operation.objects.filter(pk=op.pk).update(
        lease="dead", heartbeat_at=old, state=State.RUNNING, attempts=1, wake_at=None
    )
    assert sweeper.sweep(stuck_after=60) == {"resumed": 1, "failed": 0}
    op.refresh_from_db()
    assert op.wake_at is not None and op.state == State.RUNNING  # due: the dispatcher sends it
    assert sweeper.sweep(stuck_after=60) == {"resumed": 0, "failed": 0}  # not swept twice
    Operation.objects.filter(pk=op.pk).update(heartbeat_at=old, attempts=5, wake_at=None)
    assert sweeper.sweep(stuck_after=60) == {"resumed": 0, "failed": 1}
    op.refresh_from_db()
    assert op.state == State.FAILED


def test_pay_orders_pays_once_and_a_second_operation_does_not_pay_again(owner, tokens, sleeps, calls) -> None:
    order = f"{ALPHA}:{_awaiting_order()}"
    op = run_to_end(start(owner, "pay_orders", orders=[order]))
    assert op.state == State.SUCCEEDED, op.error
    assert calls("orders_pay") == 1
    again = run_to_end(start(owner, "pay_orders", orders=[order]))
    assert again.state == State.SUCCEEDED
    assert calls("orders_pay") == 1  # already paid: read, not paid again
    assert PaymentAttempt.objects.count() == 1


def test_payment_attempt_of_another_live_operation_blocks_paying(
    owner, tokens, sleeps, calls, settings
) -> None:
    settings.OPERATIONS_STEP_DEADLINE = 30
    oid = _awaiting_order()
    other = Operation.objects.create(kind="pay_orders", team=owner.team, state=State.RUNNING)
    PaymentAttempt.objects.create(account_id=ALPHA, order_id=oid, operation=other)
    op = run_to_end(start(owner, "pay_orders", orders=[f"{ALPHA}:{oid}"]))
    assert op.state == State.FAILED and "VPSBG has not finished the pay orders" in op.error
    assert calls("orders_pay") == 0


def _awaiting_order() -> int:
    return 7814  # the demo seed's renewal of suspended server 2869, awaiting payment


FILL = {
    "restore": {"snapshot_id": 116},
    "scale": {"plan": "cloud-vps-4gb"},
    "deploy": {"plan": "cloud-vps-1gb", "account": ALPHA},
}


def _fill(simulator, kind: str, params: dict) -> dict:
    return {**params, **FILL.get(kind, {})}


@pytest.mark.parametrize(
    ("kind", "params", "upstream"),
    [
        ("restore", {"server": SERVER, "snapshot_id": None}, "servers_restore"),
        ("snapshot_create", {"server": SERVER}, "servers_snapshots_create"),
        ("rescue_on", {"server": SERVER}, "servers_rescue_enable"),
        ("rescue_off", {"server": f"{ALPHA}:2871"}, "servers_rescue_disable"),
        ("password", {"server": SERVER, "password": "An0ther-pass"}, "servers_change_password"),
        ("scale", {"server": SERVER, "plan": None}, "servers_scale"),
        ("renew", {"servers": [SERVER], "billing_cycle": 1}, "servers_renew"),
        ("deploy", {"name": "web-9", "plan": None, "billing_cycle": 1, "image_id": 80}, "servers_deploy"),
        ("floating_ip_purchase", {"ipv4": 1, "account": ALPHA}, "floating_ips_purchase"),
        ("floating_ip_attach", {"server": SERVER, "ids": [602]}, "floating_ips_attach"),
        ("floating_ip_detach", {"ids": [608], "account": ALPHA}, "floating_ips_detach"),
        ("snapshot_delete", {"snapshot": f"{ALPHA}:116"}, "snapshots_delete"),
        ("backup_delete", {"backup": f"{ALPHA}:77"}, "backups_delete"),
        ("scale_addons", {"server": SERVER, "microsoft_rds_sal": 1}, "servers_addons_scale"),
    ],
)
def test_every_kind_runs_to_success(owner, tokens, sleeps, calls, simulator, kind, params, upstream) -> None:
    params = _fill(simulator, kind, dict(params))
    op = run_to_end(start(owner, kind, **params))
    assert op.state == State.SUCCEEDED, op.error
    assert calls(upstream) == 1


def test_cancel_while_waiting_for_a_busy_server(owner, tokens, sleeps, calls, monkeypatch) -> None:
    from . import conftest

    op = start(owner, "reinstall", server=f"{ALPHA}:2870", image_id=80)  # locked by another action
    waits = iter(range(100))

    def sleep_then_cancel(seconds: float) -> None:
        if next(waits) == 1:
            services.cancel(actor=owner, operation=Operation.objects.get(pk=op.pk))

    monkeypatch.setitem(conftest.PAUSE, "wait", sleep_then_cancel)
    op = run_to_end(op)
    assert op.state == State.CANCELLED
    assert calls("servers_reinstall") == 0


def test_calls_made_for_an_api_request_name_the_api_token_in_the_audit_log(owner, tokens, sleeps) -> None:
    from panel.services.context import Actor

    actor = Actor(membership=owner, api_token_label="ci-deploys (vpp_1234)")
    op = run_to_end(services.start(actor=actor, kind="rescue_on", params={"server": SERVER}))
    assert op.state == State.SUCCEEDED, op.error
    event = AuditEvent.objects.get(operation_id="servers_rescue_enable")
    assert event.actor_api_token == "ci-deploys (vpp_1234)"
    assert event.operation_url == op.get_absolute_url()


def test_the_reason_typed_at_the_start_is_in_the_audit_event_of_the_call(owner, tokens, sleeps) -> None:
    params = {"server": SERVER, "image_id": 80}
    op = services.start(actor=owner, kind="reinstall", params=params, reason="ticket #4411: broken")
    assert op.log.filter(message__contains="Reason: ticket #4411: broken").exists()
    op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error
    event = AuditEvent.objects.get(operation_id="servers_reinstall")
    assert event.reason == "ticket #4411: broken"
    assert event.operation_url == op.get_absolute_url()


def test_a_waiting_or_backing_off_step_parks_instead_of_holding_a_worker(owner, tokens, simulator) -> None:
    from panel.operations import runner

    simulator.sim.faults.add(operation="servers_get", status=503, count=1)
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    assert runner.run(op.pk) == State.WAITING  # the 503: the delivery returned at once
    op.refresh_from_db()
    assert op.lease == "" and op.task_id == "" and op.wake_at is not None and op.data["wait"] == 1.0
    assert runner.run(op.pk, task_id="an-old-message") is None  # only the dispatcher's message counts
    assert runner.run(op.pk) == State.WAITING  # checked, asked VPSBG, now waits for the reinstall
    op.refresh_from_db()
    assert op.lease == "" and op.data["step_index"] == 2 and op.data["wait"] == 2.5  # the poller's next run


def test_progress_moves_while_vpsbg_works(owner, tokens, sleeps, simulator) -> None:
    from panel.operations import runner

    op = start(owner, "reinstall", server=SERVER, image_id=80)
    seen = []
    for _ in range(4):
        runner.run(op.pk)
        op.refresh_from_db()
        seen.append(op.progress)
        simulator.advance(1.0)  # the simulator's reinstall takes 5 s
    assert op.state == State.WAITING
    assert 20 <= seen[0] < seen[1] < seen[2] < seen[3] < 95, seen  # not stuck at 20 % for the wait


def test_the_target_is_named_by_its_hostname(owner, tokens, sleeps) -> None:
    op = run_to_end(start(owner, "rescue_on", server=SERVER))
    assert op.state == State.SUCCEEDED, op.error
    assert op.target_label == "ubuntu-2gb"  # the hostname VPSBG gave, not "server 2864"


def test_paying_an_already_paid_order_says_so(owner, tokens, sleeps, calls) -> None:
    order = f"{ALPHA}:{_awaiting_order()}"
    run_to_end(start(owner, "pay_orders", orders=[order]))
    again = run_to_end(start(owner, "pay_orders", orders=[order]))
    assert again.state == State.SUCCEEDED
    assert again.step == f"Order {_awaiting_order()} was already paid; nothing was charged for it."
    note = Notification.objects.filter(operation=again).get().message
    assert "already paid" in note and calls("orders_pay") == 1


def test_a_resumed_payment_that_finds_the_order_paid_records_it_paid(owner, tokens, sleeps, calls) -> None:
    from panel.services import billing

    oid = _awaiting_order()
    op = start(owner, "pay_orders", orders=[f"{ALPHA}:{oid}"])
    # The first delivery committed its attempt, and VPSBG took the payment; then the worker died.
    PaymentAttempt.objects.create(account_id=ALPHA, order_id=oid, operation=op)
    billing.orders_pay(actor=owner, ids=[oid], payment_method="balance", account=ALPHA)
    Operation.objects.filter(pk=op.pk).update(data={"step_index": 1, "orders": [f"{ALPHA}:{oid}"]})
    op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error
    assert PaymentAttempt.objects.get(order_id=oid).outcome == PaymentAttempt.Outcome.PAID
    assert calls("orders_pay") == 1


def test_a_restarted_worker_resumes_what_it_held_at_once(owner, tokens, monkeypatch) -> None:
    from django.utils import timezone

    from panel.operations import dispatch, tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.run_operation, "apply_async", lambda args=None, **_: sent.extend(args))
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    other = start(owner, "rescue_on", server=f"{ALPHA}:2865")
    now = timezone.now()  # both held a moment ago: one by the worker that restarts, one by another
    Operation.objects.filter(pk=op.pk).update(lease="a", worker="w1@host", heartbeat_at=now, wake_at=None)
    Operation.objects.filter(pk=other.pk).update(lease="b", worker="w2@host", heartbeat_at=now, wake_at=None)
    counts = dispatch.worker_started("w1@host")
    assert counts["resumed"] == 1 and sent == [op.pk]  # not after the stuck timeout: now
    op.refresh_from_db()
    assert op.log.filter(message__contains="sent to a new worker").exists()
    assert Operation.objects.get(pk=other.pk).lease == "b"  # a live worker's operation is left alone


def test_one_read_per_account_holds_operations_whose_server_is_still_busy_then_ends_them(
    owner, tokens, sleeps, simulator, calls, monkeypatch
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from panel.operations import dispatch, runner, tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.run_operation, "apply_async", lambda args=None, **_: sent.extend(args))
    ops = [start(owner, "reinstall", server=f"{ALPHA}:{sid}", image_id=80) for sid in (2864, 2865)]
    for op in ops:
        assert runner.run(op.pk) == State.WAITING  # asked VPSBG to reinstall; parked on the wait
    past = timezone.now() - timedelta(seconds=1)
    Operation.objects.filter(pk__in=[op.pk for op in ops]).update(wake_at=past)
    gets, lists = calls("servers_get"), calls("servers_list")
    counts = dispatch.dispatch()
    assert counts["held"] == 2 and counts["sent"] == 0 and sent == []  # both servers still locked
    assert calls("servers_list") == lists + 1 and calls("servers_get") == gets  # one read for both
    simulator.advance(10)  # the simulator's reinstalls are done
    Operation.objects.filter(pk__in=[op.pk for op in ops]).update(wake_at=past)
    counts = dispatch.dispatch()
    # The same one read per account shows both servers unlocked with the new image: the poller ends
    # both operations itself, with no task and no read of their own.
    assert counts["held"] == 0 and counts["advanced"] == 2 and sent == []
    assert calls("servers_list") == lists + 2 and calls("servers_get") == gets
    for op in ops:
        op.refresh_from_db()
        assert op.state == State.SUCCEEDED and op.progress == 100 and op.lease == "", op.error
        assert Notification.objects.filter(operation=op).exists()
        assert not OperationLock.objects.filter(operation=op).exists()
    assert calls("servers_reinstall") == 2


def test_the_poller_fails_an_operation_whose_server_shows_no_change(
    owner, tokens, sleeps, simulator, calls, monkeypatch
) -> None:
    """The listed server is judged by the step as a read of its own would be: unlocked but still
    the old image means VPSBG did not reinstall it, and the operation fails saying so."""
    from datetime import timedelta

    from django.utils import timezone

    from panel.operations import dispatch, runner, tasks

    monkeypatch.setattr(tasks.run_operation, "apply_async", lambda **_: None)
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    assert runner.run(op.pk) == State.WAITING
    with simulator.sim.lock:  # VPSBG will end the action with the old image still installed
        simulator.sim.state.data["servers"]["2864"]["_pending"]["set"].pop("server_image", None)
    simulator.advance(10)
    past = timezone.now() - timedelta(seconds=1)
    Operation.objects.filter(pk=op.pk).update(wake_at=past)
    assert dispatch.dispatch()["advanced"] == 1
    op.refresh_from_db()
    assert op.state == State.FAILED and "does not show the expected change" in op.error


def test_the_poller_sends_the_task_when_the_member_lost_the_role(
    owner, tokens, sleeps, simulator, monkeypatch
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from panel.operations import dispatch, runner, tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.run_operation, "apply_async", lambda args=None, **_: sent.extend(args))
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    assert runner.run(op.pk) == State.WAITING
    simulator.advance(10)
    owner.role = Role.VIEWER
    owner.save()
    Operation.objects.filter(pk=op.pk).update(wake_at=timezone.now() - timedelta(seconds=1))
    counts = dispatch.dispatch()
    assert counts["advanced"] == 0 and sent == [op.pk]  # the runner stops it, saying why
    assert runner.run(op.pk, task_id=Operation.objects.get(pk=op.pk).task_id) == State.FAILED


def test_a_delivery_past_its_time_limit_goes_on_in_a_new_one(owner, tokens, sleeps, monkeypatch) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    from panel.operations.kinds import common

    real, slow = common.servers.servers_get, iter([True])

    def servers_get(**kwargs):  # the first read outlives the worker's soft time limit
        if next(slow, False):
            raise SoftTimeLimitExceeded()
        return real(**kwargs)

    monkeypatch.setattr(common.servers, "servers_get", servers_get)
    op = run_to_end(start(owner, "rescue_on", server=SERVER))
    assert op.state == State.SUCCEEDED, op.error  # not "Internal error (SoftTimeLimitExceeded)"
    assert op.log.filter(message__contains="ran past the worker's time limit").exists()


# -- a destructive call whose answer was lost is verified from VPSBG's evidence, never repeated blindly
def _died_mid_reinstall(owner, image_id: int, *, arrived: bool) -> Operation:
    """A reinstall whose worker died during the call (the mark is there, the answer never came);
    `arrived`: the call had reached VPSBG. The check step had seen image 73 installed."""
    from panel.services import servers

    op = start(owner, "reinstall", server=SERVER, image_id=image_id)
    StepMark.objects.create(operation=op, step="reinstall", done=False)
    if arrived:
        servers.servers_reinstall(actor=owner, server=SERVER, image_id=image_id)
    Operation.objects.filter(pk=op.pk).update(data={"step_index": 1, "before": {"image_id": 73}})
    return op


def test_a_resume_after_vpsbg_finished_the_reinstall_does_not_reinstall_again(
    owner, tokens, sleeps, calls, simulator
) -> None:
    op = _died_mid_reinstall(owner, 80, arrived=True)
    simulator.advance(60)  # the resume comes late: VPSBG finished, the server is unlocked again
    op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error
    assert calls("servers_reinstall") == 1
    assert any("not repeated" in m for m in op.log.values_list("message", flat=True))


def test_a_reinstall_that_never_reached_vpsbg_is_made_on_resume(owner, tokens, sleeps, calls) -> None:
    op = _died_mid_reinstall(owner, 80, arrived=False)  # the old image is still there, unlocked
    op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error
    assert calls("servers_reinstall") == 1
    assert any("took no effect" in m for m in op.log.values_list("message", flat=True))


def test_a_reinstall_with_the_same_image_that_vpsbg_cannot_confirm_asks_a_person(
    owner, tokens, sleeps, calls, simulator
) -> None:
    op = _died_mid_reinstall(owner, 73, arrived=True)  # before and after look alike
    simulator.advance(60)
    op = run_to_end(op)
    assert op.state == State.FAILED
    assert "was not sent again" in op.error and "Check the server" in op.error
    assert calls("servers_reinstall") == 1


@pytest.mark.parametrize(("kind", "step", "call", "params"), [
    ("restore", "restore", "servers_restore", {"snapshot_id": 1}),
    ("password", "password", "servers_change_password", {"password": "n3w-secret-pw"}),
])  # fmt: skip
def test_a_lost_answer_the_server_shows_no_trace_of_is_not_repeated(
    owner, tokens, sleeps, calls, kind, step, call, params
) -> None:
    op = start(owner, kind, server=SERVER, **params)
    StepMark.objects.create(operation=op, step=step, done=False)  # the call may have gone through
    Operation.objects.filter(pk=op.pk).update(data={"step_index": 1})
    op = run_to_end(op)
    assert op.state == State.FAILED
    assert "Check the server" in op.error
    assert calls(call) == 0


def test_a_step_reads_vpsbg_even_when_the_shared_cache_lost_its_counters(
    owner, tokens, sleeps, settings
) -> None:
    """A Redis restart (or eviction) resets the read cache's version counters, so a stale copy of
    the unlocked server could answer the wait step: it must read VPSBG, which shows it locked."""
    from django.core.cache import cache

    from panel.operations import runner

    settings.PANEL_SERVICES_CACHE_TTL = 15
    op = start(owner, "reinstall", server=SERVER, image_id=80)
    assert runner.run(op.pk) == State.WAITING  # checked (unlocked), reinstall asked, now waiting
    cache.clear()  # the shared cache lost everything; this process still holds its recent reads
    op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error


def test_a_resume_after_vpsbg_took_the_snapshot_does_not_take_another(
    owner, tokens, sleeps, calls, simulator
) -> None:
    from panel.services import library, servers
    from panel.services.context import parse_server_ref

    listed = library.snapshots_list(actor=owner, server=parse_server_ref(SERVER), account=ALPHA).items
    op = start(owner, "snapshot_create", server=SERVER, name="before upgrade")
    StepMark.objects.create(operation=op, step="snapshot", done=False)  # the worker died mid-call...
    Operation.objects.filter(pk=op.pk).update(
        data={"step_index": 1, "snapshots_before": [s.id for s in listed]}
    )
    servers.servers_snapshots_create(actor=owner, server=SERVER, name="before upgrade")  # ...it arrived
    simulator.advance(600)  # VPSBG took it and unlocked the server before the resume
    op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error
    assert calls("servers_snapshots_create") == 1


def test_a_resumed_scale_adopts_its_order_even_when_vpsbg_clock_is_behind(
    owner, tokens, sleeps, calls
) -> None:
    """The order's answer was lost; VPSBG dates it a minute before the panel's mark (clocks differ):
    it is still found, so no second order is placed (and paid)."""
    from datetime import timedelta

    from django.utils import timezone

    from panel.services import billing, servers

    known = [o.id for o in billing.orders_list(actor=owner, per_page=50, account=ALPHA).items]
    op = start(owner, "scale", server=SERVER, plan="cloud-vps-4gb")
    servers.servers_scale(actor=owner, server=SERVER, plan="cloud-vps-4gb", scale_disk=False)  # arrived
    StepMark.objects.create(operation=op, step="order", done=False)  # ...but the worker died
    StepMark.objects.filter(operation=op).update(at=timezone.now() + timedelta(minutes=1))
    Operation.objects.filter(pk=op.pk).update(data={"step_index": 1, "orders_before": {"order": known}})
    op = run_to_end(op)
    assert op.state == State.SUCCEEDED, op.error
    assert calls("servers_scale") == 1
