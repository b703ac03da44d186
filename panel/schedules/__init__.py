"""Schedules: a server action on a timer (interval or cron in a time zone), for one server, a label
or a saved filter of servers, run on behalf of the member who owns it.

A panel model driven by beat (`tasks.tick`), not django-celery-beat's `PeriodicTask` rows; why is
in docs/architecture.md. Each run is a batch (`panel.bulk.start_batch`), so roles, scope,
guardrails and the audit apply to it exactly as to a click.
"""
