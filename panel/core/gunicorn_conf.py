"""gunicorn's configuration, the same for every way the panel runs it (Dockerfile, docker-compose, demo).

Loaded by path (`gunicorn -c panel/core/gunicorn_conf.py`), so the master process does not import
the `panel` package (and Celery with it); the access log's masking imports it in the workers,
which load the panel anyway.

- The access log, when one is asked for, masks the secret segments of invitation and
  password-reset links wherever they show (request line, path, Referer, any header), like the
  panel's own request line does.
- `X-Forwarded-Proto` and its kin decide whether a request came over HTTPS. gunicorn believes them
  only from `forwarded_allow_ips`; they are believed from anyone only when `BEHIND_PROXY` says a
  proxy that sets them is in front (and overwrites what clients send), else from nobody.
- Multiprocess metrics: when a worker exits, prometheus-client forgets its live gauges (the panel
  keeps none today, its gauges are read at scrape time; the hook keeps any future one right).
  Counters of the exited worker stay counted, as they must.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.glogging import Logger

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})


def behind_proxy(environ: dict[str, str] | None = None) -> bool:
    """`BEHIND_PROXY` read as Django's settings read it (django-environ's true words)."""
    value = (environ if environ is not None else os.environ).get("BEHIND_PROXY", "")
    return value.strip().lower() in TRUE_WORDS


class SecretMaskingLogger(Logger):
    """gunicorn's logger whose access-log atoms never hold an invitation or password-reset token."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        from panel.core.logs import redact_text

        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact_text(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = SecretMaskingLogger
forwarded_allow_ips = "*" if behind_proxy() else ""


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        from panel.core.metrics import process_identifier_of

        multiprocess.mark_process_dead(process_identifier_of(worker.pid))
