"""The Celery application; configuration comes from Django settings (CELERY_* names)."""

import functools
import logging
import os
from collections.abc import Callable
from typing import Any

from celery import Celery
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panel.settings")

logger = logging.getLogger(__name__)

app = Celery("panel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _tolerate_closed_channel(method: Callable[..., Any]) -> Callable[..., Any]:
    """Let a Redis QoS call made through a channel whose connection is gone do nothing.

    When Redis stops while a task runs, the worker closes the broken connection; kombu then
    restores the task's message, and later acks it, through that closed channel, which raises
    `AttributeError: 'NoneType' object has no attribute 'hostname'` (or `'client'`). Celery takes
    that for an unrecoverable error and the worker exits instead of reconnecting (TCP and unix
    socket alike). Left alone, the message stays in Redis's unacked set and comes back after the
    visibility timeout; an operation's task then carries a stale id and does nothing (the dispatcher
    resumed the operation long before).
    """

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except AttributeError:
            if getattr(getattr(self.channel, "connection", None), "client", None) is not None:
                raise  # the channel is open: a real bug, not the closed-channel case
            logger.warning("celery.closed_channel", extra={"call": method.__name__})
            if method.__name__ == "restore_unacked":
                self._delivered.clear()
            return None

    return call


for _name in ("restore_unacked", "ack", "reject"):
    setattr(kombu_redis.QoS, _name, _tolerate_closed_channel(getattr(kombu_redis.QoS, _name)))
