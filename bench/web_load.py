"""Benchmark: signed-in members loading pages from gunicorn, as docker-compose runs it.

    .venv/bin/python bench/web_load.py [--users 20,50] [--seconds 20] [--max-requests 3000]
        [--servers 50] [--workers 1] [--cpu-requests 100] [--profile]

Starts, all on 127.0.0.1 (nothing else is ever contacted): the VPSBG simulator (one account of
`--servers` servers, its answers kept encoded as `--cache-renders` does, so its own CPU stays
small), gunicorn on `panel.wsgi` with the web service's options of `docker-compose.yml`
(`gthread`, 4 threads, `--workers` processes, default 1 as in the demo) in production mode
(DEBUG off, static files collected as the image does), a throw-away database (a fresh
`<name>_webload` PostgreSQL database when `DATABASE_URL` is PostgreSQL, dropped after; else an
SQLite file) and the cache of `REDIS_URL` when it is set. A team with one read-only token of
that account and `max(--users)` owners, each with a session of their own, is created first.

Then it prints:

- cpu: for each page (dashboard, servers list, one server's page, audit log), the CPU time the
  gunicorn processes spent per request (utime + stime from /proc over `--cpu-requests`
  sequential requests, after a warm-up): the panel's own cost, without the wait on VPSBG (a
  process waiting on a socket spends no CPU; the simulator is another process) and without the
  load generator's. The services' read cache (15 s) is on, as in production, so most requests
  are served from it as they would be.
- load: for each user count, a bounded locust run (headless, in this process: at most
  `--seconds` seconds and `--max-requests` requests, every user starting at once and waiting 0.5
  to 1.5 s between pages), the p50 and p95 of each page, failures, and requests per second.

`--profile` also runs the servers list in a Django process of its own under cProfile (cache
cleared before each request, so each one asks the simulator and validates the 50 servers) and
prints where its CPU goes. Exit status 1 when the servers list costs more than 10 ms of CPU.

Figures and the machine they were taken on: README, "Performance".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "ops@alpha.example"  # the simulator's account `alpha`
MIX = ("dashboard",) * 2 + ("servers",) * 3 + ("server",) * 3 + ("audit",)  # what people open most
SERVERS_CPU_TARGET_MS = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_answering(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{process.args!r} exited with {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2):
                return
        time.sleep(0.2)
    sys.exit(f"{url} did not answer within {timeout:.0f} s")


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` and its children processes (gunicorn's master and workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    return total


@contextlib.contextmanager
def started(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@contextlib.contextmanager
def database(url: str, folder: Path) -> Iterator[str]:
    """A fresh database for the run: `<name>_webload` next to a PostgreSQL `url`, else SQLite."""
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{folder / 'panel.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "panel") + "_webload"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the Django side, in a process of its own (`--seed`, `--profile-only`) ---------------------------
def seed(members: int, out: Path) -> None:
    """Create the team, its token and `members` signed-in owners; write their cookies to `out`."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    import vpsbg_api
    from panel.accounts.middleware import SESSION_TEAM_KEY
    from panel.accounts.roles import Role
    from panel.vault.models import ApiToken, TokenScope, TokenStatus
    from tests.factories import MembershipFactory, TeamFactory
    from vpsbg_api.simulator.seed import DEMO_TOKENS

    team = TeamFactory(name="Load", slug="load", require_2fa=False)
    token = ApiToken(
        team=team,
        name="alpha ro",
        scope=TokenScope.READ_ONLY,
        account_id=ACCOUNT,
        account_label="Alpha Ops",
        status=TokenStatus.OK,
    )
    token.set_secret(DEMO_TOKENS["alpha_ro"])
    token.save()
    cookies = []
    for _ in range(members):
        membership = MembershipFactory(team=team, role=Role.OWNER)
        browser = Client()
        browser.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
        session = browser.session
        session[SESSION_TEAM_KEY] = team.pk
        session.save()
        cookies.append(browser.cookies[settings.SESSION_COOKIE_NAME].value)
    with vpsbg_api.Client(DEMO_TOKENS["alpha_ro"], base_url=settings.VPSBG_API_URL) as client:
        first = client.servers.list(per_page=1).items[0].id
    out.write_text(
        json.dumps({"cookies": cookies, "cookie_name": settings.SESSION_COOKIE_NAME, "server": first})
    )


def profile(cookie: str, server: int, rounds: int) -> None:
    """The servers list under cProfile, each request with an empty cache (so it asks VPSBG)."""
    import cProfile
    import pstats

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from panel.services import cache as service_cache

    settings.ALLOWED_HOSTS = ["*"]
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = cookie

    def once() -> None:
        cache.clear()
        service_cache.clear_local()
        response = browser.get("/servers/")
        assert response.status_code == 200 and response.content.count(b"<tr") > 50, response.status_code

    for _ in range(5):
        once()
    started_cpu = time.process_time()
    for _ in range(rounds):
        once()
    per_request = (time.process_time() - started_cpu) / rounds * 1000
    profiler = cProfile.Profile(time.process_time)  # CPU, not the wait on the simulator
    profiler.enable()
    for _ in range(rounds):
        once()
    profiler.disable()
    print(f"servers list, cache cleared each time: {per_request:.1f} ms CPU per request (this process)")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"panel/|template/|sessions", 30)


# -- load ------------------------------------------------------------------------------------------
def urls(server: int) -> dict[str, str]:
    return {
        "dashboard": "/dashboard/",
        "servers": "/servers/",
        "server": f"/servers/{ACCOUNT}:{server}/",
        "audit": "/audit/",
    }


def measure_cpu(
    base: str, pid: int, cookie: tuple[str, str], pages: dict[str, str], count: int
) -> dict[str, float]:
    """ms of gunicorn CPU per request of each page (sequential requests, one session)."""
    import requests

    found: dict[str, float] = {}
    with requests.Session() as http:
        http.cookies.set(*cookie)
        for name, path in pages.items():
            for _ in range(5):
                http.get(base + path, allow_redirects=False).raise_for_status()
            before = cpu_seconds(pid)
            for _ in range(count):
                response = http.get(base + path, allow_redirects=False)
                if response.status_code != 200:
                    sys.exit(f"{path} answered {response.status_code}")
            found[name] = (cpu_seconds(pid) - before) / count * 1000
    return found


def run_load(
    base: str, cookie_name: str, cookies: list[str], pages: dict[str, str], users: int, seconds: float,
    max_requests: int,
) -> dict[str, Any]:  # fmt: skip
    """One bounded headless locust run; each user keeps one member's session.

    Runs in a process of its own (`--load`): locust patches the standard library with gevent and
    must do it before `requests` and `ssl` are imported.
    """
    import gevent
    from locust import HttpUser, between, task  # it patches the standard library on import
    from locust.env import Environment

    pool = iter(cookies)

    class Member(HttpUser):
        host = base
        wait_time = between(0.5, 1.5)

        def on_start(self) -> None:
            self.client.cookies.set(cookie_name, next(pool))

        def _page(self, name: str) -> None:
            with self.client.get(pages[name], name=name, allow_redirects=False, catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"HTTP {r.status_code}")

        @task
        def browse(self) -> None:
            self._page(random.choice(MIX))

    env = Environment(user_classes=[Member])
    runner = env.create_local_runner()
    began = time.monotonic()
    runner.start(users, spawn_rate=users)
    while time.monotonic() - began < seconds and env.stats.total.num_requests < max_requests:
        gevent.sleep(0.25)
    runner.quit()
    elapsed = time.monotonic() - began
    result: dict[str, Any] = {"rps": env.stats.total.num_requests / elapsed, "pages": {}}
    for name in pages:
        entry = env.stats.get(name, "GET")
        result["pages"][name] = (
            entry.num_requests,
            entry.num_failures,
            entry.get_response_time_percentile(0.5),
            entry.get_response_time_percentile(0.95),
        )
    result["failures"] = env.stats.total.num_failures
    return result


def run(argv: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, check=True)


def report(users: int, result: dict[str, Any]) -> None:
    print(f"{users} users: {result['rps']:.1f} requests/s, {result['failures']} failures")
    for name, (count, failed, p50, p95) in result["pages"].items():
        print(f"  {name:<10} {count:>5} requests  p50 {p50:>5.0f} ms  p95 {p95:>5.0f} ms  {failed} failed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="20,50", help="user counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="longest run per user count")
    parser.add_argument("--max-requests", type=int, default=3000, help="most requests per user count")
    parser.add_argument("--servers", type=int, default=50, help="servers of the account")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--cpu-requests", type=int, default=100, help="requests per page for the CPU figure")
    parser.add_argument("--profile", action="store_true", help="also profile the servers list (cProfile)")
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--members", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--profile-only", help=argparse.SUPPRESS)
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        job = json.loads(args.load.read_text())
        args.load.write_text(json.dumps(run_load(**job)))
        return 0
    if args.seed:
        seed(args.members, args.seed)
        return 0
    if args.profile_only:
        cookie, server = args.profile_only.rsplit(",", 1)
        profile(cookie, int(server), 20)
        return 0
    user_counts = [int(u) for u in args.users.split(",") if u.strip()]
    if not user_counts or min(user_counts) < 1 or max(user_counts) > 200:
        parser.error("--users: 1 to 200 users")
    seconds = min(max(args.seconds, 1.0), 120.0)
    max_requests = min(max(args.max_requests, 1), 20_000)

    folder = Path(tempfile.mkdtemp(prefix="web-load-"))
    sim_port, web_port = free_port(), free_port()
    base = f"http://127.0.0.1:{web_port}"
    with database(os.environ.get("DATABASE_URL", ""), folder) as db_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DJANGO_SETTINGS_MODULE="panel.settings",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            PANEL_ENCRYPTION_KEYS=__import__("cryptography.fernet").fernet.Fernet.generate_key().decode(),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            DATABASE_URL=db_url,
            PANEL_VAR_DIR=str(folder),
            STATIC_ROOT=str(folder / "static"),
            VPSBG_API_URL=f"http://127.0.0.1:{sim_port}/v1",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        simulator = [
            sys.executable, "-m", "vpsbg_api.simulator", "--host", "127.0.0.1", "--port", str(sim_port),
            "--seed", "empty", "--servers", str(args.servers), "--cache-renders",
        ]  # fmt: skip
        gunicorn = [
            sys.executable, "-m", "gunicorn", "panel.wsgi:application", "--bind", f"127.0.0.1:{web_port}",
            "--workers", str(args.workers), "--threads", "4", "--worker-class", "gthread", "--timeout", "60",
        ]  # fmt: skip
        with started(simulator, env, folder / "simulator.log") as sim:
            wait_answering(f"http://127.0.0.1:{sim_port}/_admin/clock", sim)
            for command in (["manage.py", "migrate"], ["manage.py", "collectstatic", "--noinput"]):
                run([*command, "-v", "0"], env)
            seed_file = folder / "seed.json"
            run([__file__, "--seed", str(seed_file), "--members", str(max(user_counts))], env)
            seeded = json.loads(seed_file.read_text())
            pages = urls(seeded["server"])
            if args.profile:
                run([__file__, "--profile-only", f"{seeded['cookies'][0]},{seeded['server']}"], env)
            with started(gunicorn, env, folder / "gunicorn.log") as web:
                wait_answering(base + "/healthz/live", web)
                cookie = (seeded["cookie_name"], seeded["cookies"][0])
                cpu = measure_cpu(base, web.pid, cookie, pages, args.cpu_requests)
                setup = f"{args.workers} worker(s) x 4 threads, {args.servers} servers, {os.cpu_count()} CPUs"
                print(f"gunicorn {setup}")
                print("panel CPU per request (ms): " + "  ".join(f"{n} {v:.1f}" for n, v in cpu.items()))
                for users in user_counts:
                    job = {
                        "base": base, "cookie_name": seeded["cookie_name"], "cookies": seeded["cookies"],
                        "pages": pages, "users": users, "seconds": seconds, "max_requests": max_requests,
                    }  # fmt: skip
                    job_file = folder / f"load-{users}.json"
                    job_file.write_text(json.dumps(job))
                    run([__file__, "--load", str(job_file)], env)
                    report(users, json.loads(job_file.read_text()))
    return 1 if cpu["servers"] > SERVERS_CPU_TARGET_MS else 0


if __name__ == "__main__":
    sys.exit(main())
