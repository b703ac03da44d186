"""`manage.py demo`: the same as `python -m panel.core.demo` (what `make run` starts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panel.core import demo


class Command(BaseCommand):
    help = "Run the demo: simulator, web, worker and beat together (Ctrl-C stops all)."

    def add_arguments(self, parser: Any) -> None:
        defaults = demo.parse_args([])
        parser.add_argument("--host", default=defaults.host)
        parser.add_argument("--port", type=int, default=defaults.port)
        parser.add_argument("--simulator-port", type=int, default=defaults.simulator_port)
        parser.add_argument("--startup-timeout", type=float, default=defaults.startup_timeout)

    def handle(self, *args: Any, **options: Any) -> None:
        namespace = demo.parse_args(
            [
                "--host",
                options["host"],
                "--port",
                str(options["port"]),
                "--simulator-port",
                str(options["simulator_port"]),
                "--startup-timeout",
                str(options["startup_timeout"]),
            ]
        )
        code = demo.run(namespace)
        if code:
            raise CommandError("The demo stopped with an error (see above).", returncode=code)
