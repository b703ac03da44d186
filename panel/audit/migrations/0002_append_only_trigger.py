"""On PostgreSQL, refuse UPDATE and DELETE on the audit tables at the database level.

The model and queryset already refuse; this stops raw SQL, other clients and ORM paths that skip
them. Two exceptions, both narrow:
- DELETE of events is allowed inside a transaction that ran `SET LOCAL audit.allow_purge = 'on'`
  (only `manage.py purge_audit` does, and it leaves an AuditPurge checkpoint);
- UPDATE that only sets the `actor_id`/`team_id` links to NULL (Django's SET_NULL when a user or
  team is deleted); the hashed copies of those ids and names stay.
Other databases (SQLite in demo mode) rely on the application checks.
"""
from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('audit.allow_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: DELETE refused (use manage.py purge_audit)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - 'actor_id' - 'team_id') = (to_jsonb(OLD) - 'actor_id' - 'team_id')
       AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
       AND (NEW.team_id IS NULL OR NEW.team_id IS NOT DISTINCT FROM OLD.team_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: UPDATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();

CREATE OR REPLACE FUNCTION audit_purge_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit purge records are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_purge_append_only ON audit_auditpurge;
CREATE TRIGGER audit_purge_append_only
    BEFORE UPDATE OR DELETE ON audit_auditpurge
    FOR EACH ROW EXECUTE FUNCTION audit_purge_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
DROP TRIGGER IF EXISTS audit_purge_append_only ON audit_auditpurge;
DROP FUNCTION IF EXISTS audit_purge_append_only();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


def create_chain_head(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"last_seq": 0, "last_hash": "0" * 64}
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
    ]
