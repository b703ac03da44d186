"""Long operations at scale: many reinstalls at once on the demo's worker configuration.

    DATABASE_URL=postgres://.../scratch python bench/operations_scale.py [--ops 200] [--accounts 4]
        [--seconds 20] [--poll 5]

Starts the simulator in this process (reinstalls take `--seconds`), `--accounts` VPSBG accounts
with `--ops / --accounts` servers each, one Celery worker as the demo runs it (thread pool of 2,
both queues, filesystem broker) and beat (which runs the operations dispatcher), waits for the
worker to take its first message, then requests one reinstall per server and waits until all have
ended. The database named by DATABASE_URL is migrated and used as scratch: give it one of its
own, freshly created. Prints:
- the time from the first request until all ended, and its ratio to (simulator duration + one
  poll interval): target at most 1.3;
- the most time any operation waited for a worker once it was due (start, or end of a park);
- every VPSBG call made, by operationId, and per operation;
- the calls made FOR WAITING operations: while an operation waits for VPSBG to finish (from its
  reinstall request to its end), the calls made only to learn whether VPSBG is done: the account
  poller's list reads and any read of one server beyond the one check each operation makes before
  it acts. Not counted there: the check read and the reinstall request each operation makes once
  whatever the poll interval. They are given per account per poll interval while any of its
  operations waits (target: at most 1, one read serving all of them), and per waiting operation
  per poll interval, the target being at most 1 / (operations per account) when they all wait
  together (reading per operation would cost 1 per operation and poll; operations that start
  spread out share a read with fewer others, so this figure then exceeds 1/N while the first stays
  at 1). Per minute, the same figures are (60 / poll interval) times higher: they meet "1 /
  operations per account per minute" only with a poll interval of 60 s (`--poll 60`).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _accounts(sim, count: int, per_account: int) -> dict[str, tuple[str, list[int]]]:
    """Add `count` accounts with `per_account` active servers each: {email: (token, server ids)}."""
    from vpsbg_api.simulator.fulfil import create_server
    from vpsbg_api.simulator.seed import _account

    found: dict[str, tuple[str, list[int]]] = {}
    now = sim.clock.now()
    with sim.lock:
        state = sim.state
        for n in range(count):
            name, email = f"bench{n}", f"ops@bench{n}.example"
            _account(state, name, f"Bench {n}", email, 10_000.0, f"bench{n}", False, now)
            token = f"bench-token-{n}"
            state.data["tokens"][token] = {"account": name, "mode": "rw"}
            ids = []
            for i in range(per_account):
                server = create_server(
                    state,
                    name,
                    hostname=f"b{n}-{i:03d}.example.net",
                    plan=state.plan_by_id(104) or {},
                    billing_cycle=1,
                    now=now - 3600,
                    seconds=0,
                    image=state.image_by_id(73),
                    status="active",
                )
                ids.append(int(server["id"]))
            found[email] = (token, ids)
    return found


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--poll", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL to a scratch PostgreSQL database")

    folder = Path(tempfile.mkdtemp(prefix="ops-scale-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="panel.settings",
        CELERY_BROKER_URL="filesystem://localhost/",
        CELERY_BROKER_DIR=str(folder / "broker"),
        CELERY_RESULT_BACKEND="",
        CACHE_URL="locmemcache://",
        PANEL_VAR_DIR=str(folder / "var"),
        OPERATIONS_POLL_SECONDS=str(args.poll),
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    from cryptography.fernet import Fernet

    os.environ["PANEL_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()

    from vpsbg_api.simulator.clock import Clock
    from vpsbg_api.simulator.testing import running_simulator

    with running_simulator(clock=Clock(), action_seconds=args.seconds) as running:
        os.environ["VPSBG_API_URL"] = running.base_url
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.db.models import Max

        from panel.accounts.roles import Role
        from panel.operations import services
        from panel.operations.models import Operation, StepLog
        from panel.vault.models import ApiToken, TokenScope, TokenStatus
        from tests.factories import MembershipFactory, TeamFactory

        accounts = _accounts(running.sim, args.accounts, args.ops // args.accounts)
        team = TeamFactory(name="Bench", slug=f"bench-{int(time.time())}")
        for email, (token, _) in accounts.items():
            row = ApiToken(team=team, name=email, scope=TokenScope.READ_WRITE, status=TokenStatus.OK)
            row.account_id = row.account_label = email
            row.set_secret(token)
            row.save()
        owner = MembershipFactory(team=team, role=Role.OWNER)

        env = dict(os.environ)
        worker = _spawn(
            [sys.executable, "-m", "celery", "-A", "panel", "worker", "--pool", "threads", "-c", "2",
             "-Q", "default,operations", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--hostname", "demo@%h"],
            env, folder / "worker.log",
        )  # fmt: skip
        beat = _spawn(
            [sys.executable, "-m", "celery", "-A", "panel", "beat", "--loglevel", "WARNING",
             "-S", "celery.beat:PersistentScheduler", "-s", str(folder / "schedule"),
             "--pidfile", str(folder / "beat.pid")],
            env, folder / "beat.log",
        )  # fmt: skip
        try:
            from panel.core.models import WorkerHeartbeat

            deadline = time.monotonic() + 120
            while not WorkerHeartbeat.objects.exists():  # the demo's worker is up before anyone clicks
                if time.monotonic() > deadline or worker.poll() is not None:
                    print((folder / "worker.log").read_text(errors="replace")[-3000:], file=sys.stderr)
                    return 1
                time.sleep(0.2)
            before = dict(running.sim.calls)
            calls_before = sum(before.values())
            began = time.monotonic()
            ops = [
                services.start(
                    actor=owner, kind="reinstall", params={"server": f"{email}:{sid}", "image_id": 74}
                ).pk
                for email, (_, ids) in accounts.items()
                for sid in ids
            ]
            requested = time.monotonic() - began
            active = Operation.objects.filter(pk__in=ops, state__in=["queued", "running", "waiting"])
            while active.exists():
                if time.monotonic() - began > args.timeout:
                    print(f"timed out with {active.count()} operations still active", file=sys.stderr)
                    return 1
                time.sleep(0.5)
            elapsed = time.monotonic() - began
            calls = sum(running.sim.calls.values()) - calls_before
        finally:
            _stop(beat)
            _stop(worker)

        rows = list(Operation.objects.filter(pk__in=ops))
        states: dict[str, int] = {}
        for row in rows:
            states[row.state] = states.get(row.state, 0) + 1
        late = max(
            max(float(r.data.get("late_max") or 0), (r.started_at - r.created_at).total_seconds())
            for r in rows
        )
        # An operation waits for VPSBG from its reinstall request (the step log's line) to its end.
        asked = dict(
            StepLog.objects.filter(operation_id__in=ops, message__startswith="Asking VPSBG")
            .values("operation_id")
            .annotate(at=Max("at"))
            .values_list("operation_id", "at")
        )
        waiting_seconds = sum((r.finished_at - asked.get(r.pk, r.started_at)).total_seconds() for r in rows)
        per_account = args.ops / args.accounts
        ideal = args.seconds + args.poll
        by_call = {k: v - before.get(k, 0) for k, v in running.sim.calls.items() if v > before.get(k, 0)}
        waiting_calls = by_call.get("servers_list", 0) + max(0, by_call.get("servers_get", 0) - len(rows))
        print(f"operations: {len(rows)} over {args.accounts} accounts; end states: {states}")
        print(f"requests made in: {requested:.1f} s; all ended after: {elapsed:.1f} s")
        ratio = elapsed / ideal
        print(f"ratio to (duration {args.seconds:g} s + poll {args.poll:g} s): {ratio:.2f} (target <= 1.3)")
        print(f"longest wait for a worker once due: {late:.1f} s")
        print(f"VPSBG calls: {calls} ({calls / len(rows):.2f} per operation), by operationId:"
              f" {dict(sorted(by_call.items()))}")  # fmt: skip
        polls = waiting_seconds / args.poll
        # Per account: the poll intervals during which any of its operations waited.
        spans: dict[str, list[Any]] = {}
        for r in rows:
            began_waiting = asked.get(r.pk, r.started_at)
            low, high = spans.get(r.account_id, [began_waiting, r.finished_at])
            spans[r.account_id] = [min(low, began_waiting), max(high, r.finished_at)]
        account_polls = sum((high - low).total_seconds() for low, high in spans.values()) / args.poll
        print(f"calls made for waiting operations (poller's lists + reads beyond each one's check):"
              f" {waiting_calls} over {waiting_seconds / 60:.1f} waiting operation-minutes")  # fmt: skip
        per_account_poll = waiting_calls / max(account_polls, 1e-9)
        print(f"  per account per poll interval while any of its operations waited: {per_account_poll:.2f}"
              " (one read serves them all: target <= 1)")  # fmt: skip
        print(f"  per waiting operation per poll interval: {waiting_calls / max(polls, 1e-9):.4f}"
              f" (target <= 1 / {per_account:g} = {1 / per_account:.4f})")  # fmt: skip
        print(f"  per waiting operation per minute: {waiting_calls / max(waiting_seconds / 60, 1e-9):.4f}"
              f" (at one read per account and poll: {60 / args.poll / per_account:.4f})")  # fmt: skip
        running_minutes = sum((r.finished_at - r.started_at).total_seconds() for r in rows) / 60
        print(f"all VPSBG calls per operation-minute from start to end (the figure measured before):"
              f" {calls / max(running_minutes, 1e-9):.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
