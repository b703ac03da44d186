"""Telling a schedule's owner that a run could not start or that the schedule paused itself.

A run that started is a batch operation: how it ends reaches the owner through the operations'
own notifications (in the panel, e-mail, team webhook; `panel/operations/notify.py`). What
happens before any operation exists is said here: on the schedule's page (its history and its
pause reason), in the log, and by e-mail when `OPERATIONS_NOTIFY_EMAIL` is on.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Schedule

logger = logging.getLogger(__name__)


def problem(schedule: Schedule, message: str) -> None:
    logger.warning("schedules.run_problem", extra={"schedule": schedule.pk, "problem": message[:300]})
    owner = schedule.owner
    if not getattr(settings, "OPERATIONS_NOTIFY_EMAIL", False) or owner is None or not owner.email:
        return
    subject = f"[VPSBG panel] Schedule “{schedule.name}”: {message[:120]}"
    body = f"{message}\n\nDetails: {schedule.get_absolute_url()}\n"

    def send() -> None:
        try:
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[owner.email])
        except Exception:
            logger.exception("schedules.email_failed", extra={"schedule": schedule.pk})

    transaction.on_commit(send)
