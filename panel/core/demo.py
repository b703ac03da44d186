"""The demo: the whole stack on one machine, under one supervising process (`make run`).

Starts, in order: the VPSBG simulator, migrations, the demo seed (it checks the demo tokens with
the simulator), then the web server (gunicorn), a Celery worker and the beat scheduler. Needs no
PostgreSQL or Redis: SQLite, the filesystem broker and a file cache live under PANEL_VAR_DIR
(default `var/`). Prints the URL and the demo login; Ctrl-C stops everything; exits non-zero if a
child dies. A second start reuses the data.

Run as `python -m panel.core.demo` (what `make run` does) or `python manage.py demo`. The module
reads the settings module for paths but does not set Django up: the supervisor stays small
(~40 MB instead of ~100 MB), since it only watches the others.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import IO

from panel.core.supervisor import StartupError, Supervisor, port_is_free, wait_for_http

LOGIN_PREFIXES = ("Sign in as", "Password", "Same password")


def demo_commands(
    *, python: str, host: str, port: int, simulator_port: int, state: str, var_dir: str
) -> dict[str, list[str]]:
    """The argv of each long-running child; kept lean (one web worker, a thread-pool worker)."""
    return {
        "simulator": [
            python,
            "-m",
            "vpsbg_api.simulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(simulator_port),
            "--state",
            state,
        ],
        "web": [
            python,
            "-m",
            "gunicorn",
            "panel.wsgi:application",
            "--config",
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "gunicorn_conf.py"),
            "--bind",
            f"{host}:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--no-control-socket",
        ],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "panel",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            "2",
            "-Q",
            "default,operations",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            "demo@%h",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "panel",
            "beat",
            "--loglevel",
            "INFO",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--pidfile",
            os.path.join(var_dir, "celerybeat.pid"),
        ],
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m panel.core.demo",
        description="Run the demo: simulator, web, worker and beat together (Ctrl-C stops all).",
    )
    parser.add_argument("--host", default=os.environ.get("PANEL_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PANEL_PORT", "8000")))
    parser.add_argument("--simulator-port", type=int, default=int(os.environ.get("SIMULATOR_PORT", "8765")))
    parser.add_argument(
        "--startup-timeout",
        type=float,
        default=60.0,
        help="seconds to wait for each service to answer (default 60)",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace, out: IO[str] | None = None) -> int:
    """Start everything, print the banner, supervise; return the exit code."""
    from panel import settings  # paths and REDIS_URL; no django.setup() needed
    from panel.core.metrics import clear_multiproc_dir

    out = out or sys.stdout
    host, port, sim_port = args.host, args.port, args.simulator_port
    var_dir = str(settings.VAR_DIR)
    os.makedirs(var_dir, exist_ok=True)
    for what, bind_host, p in (("web server", host, port), ("simulator", "127.0.0.1", sim_port)):
        if not port_is_free(bind_host, p):
            out.write(
                f"Port {p} for the {what} is already in use. Stop what uses it, or choose another "
                "with --port / --simulator-port (or PANEL_PORT / SIMULATOR_PORT).\n"
            )
            return 2

    env = dict(os.environ)
    env.update(
        {
            "PANEL_VAR_DIR": var_dir,
            "VPSBG_API_URL": f"http://127.0.0.1:{sim_port}/v1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # Web and worker counters meet in one folder, so the demo's /metrics shows both (emptied here).
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(var_dir, "metrics"))
    clear_multiproc_dir(env["PROMETHEUS_MULTIPROC_DIR"])
    os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    if not settings.REDIS_URL and "CACHE_URL" not in os.environ:
        # One cache shared by the web and worker processes, without Redis.
        env["CACHE_URL"] = f"filecache://{os.path.join(var_dir, 'cache')}"
    python = sys.executable
    manage = [python, str(settings.BASE_DIR / "manage.py")]
    commands = demo_commands(
        python=python,
        host=host,
        port=port,
        simulator_port=sim_port,
        state=os.path.join(var_dir, "simulator.json"),
        var_dir=var_dir,
    )

    sup = Supervisor(env=env, cwd=str(settings.BASE_DIR), out=out)
    sup.install_signal_handlers()
    try:
        sup.say(f"supervisor| preparing the demo in {var_dir} ...")
        code, _ = sup.run_once("migrate", [*manage, "migrate", "--no-input", "-v", "0"])
        if code:
            raise StartupError("migrations failed (see above)")
        simulator = sup.start("simulator", commands["simulator"])
        if not wait_for_http(
            f"http://127.0.0.1:{sim_port}/v1/",
            timeout=args.startup_timeout,
            is_alive=lambda: simulator.process is not None and simulator.process.poll() is None,
        ):
            raise StartupError(f"the simulator did not answer on port {sim_port}")
        code, seed_output = sup.run_once("seed", [*manage, "seed_demo"])
        if code:
            raise StartupError("seed_demo failed (see above)")
        for name in ("worker", "beat", "web"):
            sup.start(name, commands[name])
        if not wait_for_http(
            f"http://{host}:{port}/healthz/live",
            timeout=args.startup_timeout,
            is_alive=lambda: sup.dead_child() is None and not sup.stopping.is_set(),
        ):
            raise StartupError(f"the web server did not answer on {host}:{port}")
    except StartupError as exc:
        sup.say(f"supervisor| {exc}; stopping.")
        sup.stop_all()
        return 1
    except BaseException:
        sup.stop_all()
        raise
    if sup.stopping.is_set():
        sup.stop_all()
        return 0

    login = [line.strip() for line in seed_output.splitlines() if line.strip().startswith(LOGIN_PREFIXES)]
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - display only
    for line in [
        "",
        "=" * 72,
        f"  VPSBG Panel is running at  http://{shown_host}:{port}/",
        *[f"  {line}" for line in login],
        f"  Simulated VPSBG API:       http://127.0.0.1:{sim_port}/v1",
        f"  Data kept in:              {var_dir}  (delete it to start afresh)",
        "  Press Ctrl-C to stop everything.",
        "=" * 72,
        "",
    ]:
        sup.say(line)
    return sup.watch()


def main(argv: Sequence[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
