"""Benchmark: what the guardrails add to one decision of the actions pipeline, and to `can()`.

    .venv/bin/python bench/guardrails_overhead.py [--batch 1,50] [--repeat 200]

Runs in a throw-away test database (SQLite in memory by default; `DATABASE_URL=postgres://...`
creates `test_<name>` and drops it after). A team with 5 approval rules that do not match, 2
budgets and 2 freezes that are not in force; prints, for a batch of 1 and of 50 power requests:

- queries: the SQL queries `pipeline.check(batch)` makes (they must not grow with the batch);
- time:    the median time of `pipeline.check(batch)`;

and for `can()`, the time of a check the member's own role allows (no query) and of one it does
not (the elevation is read once per membership object, then compared with the clock). Target:
the queries of a check do not depend on the batch's size; a check under 5 ms for 50 requests.
The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panel.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", default="1,50")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return run([int(n) for n in args.batch.split(",")], max(args.repeat, 5))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(sizes: list[int], repeat: int) -> int:
    from datetime import time as clock
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from panel.accounts.models import Membership, Team, User
    from panel.accounts.permissions import can
    from panel.actions import pipeline
    from panel.actions.request import ActionRequest
    from panel.actions.servers import RESTART
    from panel.guardrails.models import ApprovalRule, Budget, Freeze
    from panel.services.context import Actor
    from panel.vault.models import ApiToken, TokenScope, TokenStatus

    team = Team.objects.create(name="Bench", slug="bench")
    token = ApiToken(
        team=team,
        name="bench",
        scope=TokenScope.READ_WRITE,
        account_id="bench@vpsbg.example",
        account_label="Bench",
        status=TokenStatus.OK,
    )
    token.set_secret("bench-secret-000000")
    token.save()
    user = User.objects.create_user(email="bench@example.test")
    member = Membership.objects.create(team=team, user=user, role="operator")
    for name in ("servers_reinstall", "servers_cancel", "servers_scale", "servers_deploy", "orders_pay"):
        ApprovalRule.objects.create(team=team, action_name=name, approver_roles=["owner"])
    Budget.objects.create(team=team, monthly_limit=Decimal("100"))
    Budget.objects.create(team=team, account_id="bench@vpsbg.example", per_order_limit=Decimal("20"))
    now = timezone.now()
    Freeze.objects.create(
        team=team, name="past", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
    )
    Freeze.objects.create(
        team=team,
        name="weekly",
        kind="weekly",
        weekdays=[(now.weekday() + 3) % 7],
        start_time=clock(1),
        end_time=clock(2),
    )
    failed = False
    print(f"database: {connection.vendor}; 5 rules, 2 budgets, 2 freezes (none in force)")
    counts = {}
    for size in sizes:
        batch = [
            ActionRequest.create(RESTART, actor=Actor(member), target=f"bench@vpsbg.example:{i + 1}")
            for i in range(size)
        ]
        with CaptureQueriesContext(connection) as queries:
            pipeline.check(batch)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            pipeline.check(batch)
            times.append(time.perf_counter() - started)
        median = statistics.median(times) * 1000
        counts[size] = len(queries)
        print(f"check, batch of {size:>3}: {len(queries)} queries, median {median:.2f} ms")
        failed |= size >= 50 and median > 5
    if len(set(counts.values())) > 1:
        print("FAIL: the queries of a check grow with the batch")
        failed = True

    fresh = Membership.objects.get(pk=member.pk)
    for label, action in (
        ("allowed by the role", "servers_restart"),
        ("not allowed (elevation read)", "servers_reinstall"),
    ):
        with CaptureQueriesContext(connection) as queries:
            for _ in range(repeat):
                can(fresh, action)
        started = time.perf_counter()
        for _ in range(repeat * 10):
            can(fresh, action)
        each = (time.perf_counter() - started) / (repeat * 10) * 1e6
        print(f"can(), {label}: {len(queries)} queries for {repeat} checks, {each:.1f} µs each")
    print("FAIL" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
