"""On SQLite (demo mode), refuse UPDATE and DELETE on the audit tables at the database level too.

Migration 0002 does this on PostgreSQL; SQLite has no session settings for the purge's permission,
so the rules are written for what SQLite has:
- DELETE of an event is allowed only when a purge checkpoint (`AuditPurge`) covers its sequence
  number: `purge_audit` writes the checkpoint first, in the same transaction, then deletes.
- UPDATE may only set the `actor_id`/`team_id` links to NULL (Django's SET_NULL): any other
  column named in an UPDATE is refused. The column list is read from the table when this runs;
  a later migration that adds a column to the table must create these triggers again.
- Purge records are never updated or deleted.
"""

from django.db import migrations

NULLABLE_LINKS = ("actor_id", "team_id")


def _columns(schema_editor, table):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    frozen = ", ".join(f'"{name}"' for name in _columns(schema_editor, "audit_auditevent")
                       if name not in NULLABLE_LINKS)
    statements = [
        """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
        WHEN NOT EXISTS (SELECT 1 FROM audit_auditpurge WHERE anchor_seq >= OLD.seq)
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused (use manage.py purge_audit)');
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE OF {frozen} ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_event_links_only_to_null
        BEFORE UPDATE OF actor_id, team_id ON audit_auditevent
        WHEN (NEW.actor_id IS NOT NULL AND NEW.actor_id IS NOT OLD.actor_id)
          OR (NEW.team_id IS NOT NULL AND NEW.team_id IS NOT OLD.team_id)
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_purge_no_update BEFORE UPDATE ON audit_auditpurge
        BEGIN SELECT RAISE(ABORT, 'audit purge records are append-only: UPDATE refused'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_purge_no_delete BEFORE DELETE ON audit_auditpurge
        BEGIN SELECT RAISE(ABORT, 'audit purge records are append-only: DELETE refused'); END""",
    ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("audit_event_no_delete", "audit_event_no_update", "audit_event_links_only_to_null",
                 "audit_purge_no_update", "audit_purge_no_delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_event_key_id")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
