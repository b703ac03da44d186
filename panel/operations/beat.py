"""The dispatcher's home: a thread of the beat process, not a task on a worker.

Resuming the operations of a dead worker must not wait for a worker to run the sweep: with the
dispatcher as a beat task, a dead (or saturated) worker also stopped the sweep that should rescue
its operations. Beat is the one process production runs exactly once, so the dispatcher runs
there, every `OPERATIONS_POLL_SECONDS`, from the moment beat starts: it sweeps (a lease silent for
`OPERATIONS_STUCK_AFTER` is dead), polls each VPSBG account once for the parked operations, ends
those whose wait is over, and sends the due ones' tasks. A task sent while no worker runs waits in
the queue; the first worker to start takes it at once. Each worker still dispatches once as it
starts (`tasks.py`), so its own earlier operations resume without waiting for the sweep.

The schedule entry the dispatcher had as a beat task (`operations-dispatch`, kept in the database
by django-celery-beat) is removed at start, so two dispatchers do not poll VPSBG twice.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from . import dispatch as dispatcher

__all__ = ["DispatcherThread", "start_in_beat"]

logger = logging.getLogger(__name__)

OLD_ENTRY = "operations-dispatch"


class DispatcherThread(threading.Thread):
    """Runs `dispatch()` at once, then every `interval` seconds, until `stop()`."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="operations-dispatcher", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()
        self.runs = 0

    def run(self) -> None:
        while not self.stopped.is_set():
            began = time.monotonic()
            try:
                close_old_connections()
                dispatcher.dispatch()
            except Exception:  # the database or broker is away: the next run tries again
                logger.exception("operations.dispatcher_failed")
            finally:
                close_old_connections()
            self.runs += 1
            # Every `interval` from the start of the last run: a long run does not stretch the cadence.
            self.stopped.wait(max(0.0, self.interval - (time.monotonic() - began)))

    def stop(self) -> None:
        self.stopped.set()


def _drop_old_entry() -> None:
    """Remove the periodic task that ran the dispatcher on a worker (a database left from before)."""
    try:
        from django_celery_beat.models import PeriodicTask
    except ImportError:  # beat runs with another scheduler
        return
    try:
        for entry in PeriodicTask.objects.filter(name=OLD_ENTRY):
            entry.delete()  # through the model, so a running DatabaseScheduler notices
    except Exception:  # no table (a file scheduler): nothing to remove
        logger.info("operations.old_schedule_not_checked", exc_info=True)


def _finish(thread: DispatcherThread) -> None:
    thread.stop()
    thread.join(timeout=5)


def start_in_beat(service: Any = None) -> DispatcherThread | None:
    """Start the dispatcher thread (beat's `beat_init` signal); None when turned off."""
    if not getattr(settings, "OPERATIONS_DISPATCH_IN_BEAT", True):
        return None
    _drop_old_entry()
    close_old_connections()
    thread = DispatcherThread(float(getattr(settings, "OPERATIONS_POLL_SECONDS", 5.0)))
    thread.start()
    atexit.register(_finish, thread)  # beat stops (SIGTERM): let a run under way end, briefly
    logger.info("operations.dispatcher_started", extra={"interval": thread.interval})
    return thread
