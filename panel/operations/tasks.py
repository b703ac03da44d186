"""Celery tasks of long operations. Named `panel.operations.*`, so they go to the `operations` queue;
the sweep and the webhook are sent to `default` explicitly, so they never wait behind long work.

Tasks take only ids: a secret never enters the broker.
"""

from __future__ import annotations

from celery import shared_task

from . import runner, sweeper


@shared_task(bind=True, name="panel.operations.tasks.run_operation", ignore_result=True, acks_late=True)
def run_operation(self, operation_id: int) -> str | None:  # type: ignore[no-untyped-def]
    return runner.run(int(operation_id), task_id=self.request.id or "")


@shared_task(name="panel.operations.tasks.sweep_stuck", ignore_result=True, acks_late=False)
def sweep_stuck() -> dict[str, int]:
    return sweeper.sweep()


@shared_task(name="panel.operations.tasks.post_webhook", ignore_result=True)
def post_webhook(operation_id: int) -> int | None:
    from .models import Operation
    from .notify import post

    op = Operation.objects.select_related("team").filter(pk=operation_id).first()
    return post(op) if op is not None else None
