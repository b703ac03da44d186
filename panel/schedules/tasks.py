"""Beat's job: run the schedules that are due (every `SCHEDULES_TICK_SECONDS`)."""

from __future__ import annotations

from celery import shared_task

from . import runs


@shared_task(name="panel.schedules.tasks.tick", ignore_result=True)
def tick() -> int:
    return len(runs.tick())
