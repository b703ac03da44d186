"""Bulk actions: one action on many servers, as one parent operation with a child per server.

`start_batch(requests, checked=False)` is the one way in (the servers list, the API, schedules, and
an approved batch from the guardrails): the role and scope are asked per server, the policies once
for the whole batch (`pipeline.check`), then a parent operation starts each server's child with
bounded concurrency (`BULK_CONCURRENCY`), parked between looks like every waiting operation.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Batch", "retry_failed", "start_batch"]


def __getattr__(name: str) -> Any:
    # Imported lazily: `panel.bulk` is an installed app, loaded before the models are ready.
    if name in __all__:
        from . import batches

        return getattr(batches, name)
    raise AttributeError(name)
