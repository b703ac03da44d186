"""Benchmark: stream 100k audit events as CSV and JSON; print time and peak Python memory.

    .venv/bin/python bench/audit_export.py [--events 100000] [--format csv|json|both]

Runs in a throw-away test database (SQLite in memory by default; `DATABASE_URL=postgres://...`
creates `test_<name>` and drops it after), so the panel's own data is never touched. Each format is
exported twice: once timed without tracing, once under `tracemalloc` for the peak. A flat peak as
the event count grows is the point: the export holds one chunk of rows, not the log.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panel.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "json", "both"], default="both")
    args = parser.parse_args()
    if args.events < 1:
        parser.error("--events must be at least 1")

    import django

    django.setup()
    from django.db import connection

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return run(args.events, ["csv", "json"] if args.format == "both" else [args.format])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(count: int, formats: list[str]) -> int:
    from panel.accounts.models import Team, User
    from panel.audit.chain import append_many, verify
    from panel.audit.export import streaming_export
    from panel.audit.models import AuditEvent
    from panel.audit.recorder import prepare

    team = Team.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user(email="bench@example.test", full_name="Bench Person")
    started = time.perf_counter()
    append_many(
        prepare(
            actor=user,
            team=team,
            operation_id="servers_restart" if i % 3 else "servers_reinstall",
            target_type="server",
            target_id=str(i % 500),
            target_label=f"web-{i % 500}",
            token_id=1,
            token_name="prod",
            params={"image_id": i % 40, "password": "never stored", "hostname": f"web-{i % 500}.example"},
            outcome="ok" if i % 10 else "failed",
            upstream_status=200 if i % 10 else 422,
            upstream_message="" if i % 10 else "The given data was invalid.",
        )
        for i in range(count)
    )
    print(f"seeded {count} events in {time.perf_counter() - started:.1f}s ({connection_vendor()})")
    check = verify()
    print(f"verify_audit_chain: {'ok' if check.ok else check.problem} ({check.checked} events)")

    for fmt in formats:
        started = time.perf_counter()
        size, rows = consume(streaming_export(AuditEvent.objects.all(), fmt))
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        consume(streaming_export(AuditEvent.objects.all(), fmt))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{fmt}: {rows} lines, {size / 1e6:.1f} MB in {elapsed:.2f}s "
            f"({count / elapsed:,.0f} events/s); peak traced memory {peak / 1e6:.1f} MB"
        )
    return 0 if check.ok else 1


def consume(response: object) -> tuple[int, int]:
    size = rows = 0
    for chunk in response.streaming_content:  # type: ignore[attr-defined]
        size += len(chunk)
        rows += chunk.count(b"\n")
    return size, rows


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    raise SystemExit(main())
