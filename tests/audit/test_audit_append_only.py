"""Append-only: no update or delete through the model, the queryset, the admin or (on PostgreSQL) SQL."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from panel.audit.models import AuditEvent, AuditImmutableError, AuditPurge

from .conftest import ON_POSTGRES


@pytest.fixture
def event(make_event, owner, team) -> AuditEvent:
    return make_event(actor=owner.user, team=team)


def test_model_save_of_an_existing_event_is_refused(event):
    event.outcome = "failed"
    with pytest.raises(AuditImmutableError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).outcome == "ok"


def test_model_delete_is_refused(event):
    with pytest.raises(AuditImmutableError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "operation",
    [
        lambda qs: qs.update(outcome="failed"),
        lambda qs: qs.update(actor=None, outcome="failed"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["outcome"]),
    ],
    ids=["update", "update-mixed-with-link", "delete", "bulk_update"],
)
def test_queryset_changes_are_refused(event, operation):
    with pytest.raises(AuditImmutableError):
        operation(AuditEvent.objects.all())
    assert AuditEvent.objects.get().outcome == "ok"


def test_admin_is_read_only(event, staff):
    request = RequestFactory().get("/admin/")
    request.user = staff
    for model in (AuditEvent, AuditPurge):
        admin = site._registry[model]
        assert not admin.has_add_permission(request)
        assert not admin.has_change_permission(request, event)
        assert not admin.has_delete_permission(request, event)
        assert admin.has_view_permission(request)


def test_admin_pages_render_for_staff(event, staff, client):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    page = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content and b"deletelink" not in page.content


@pytest.mark.skipif(not ON_POSTGRES, reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET outcome = 'failed'",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_auditevent SET actor_id = NULL, reason = 'x'",
    ],
)
def test_postgres_trigger_refuses_raw_sql(event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.get().outcome == "ok"


@pytest.mark.skipif(not ON_POSTGRES, reason="the trigger exists on PostgreSQL only")
def test_postgres_trigger_refuses_purge_record_changes(db):
    from django.utils import timezone

    purge = AuditPurge.objects.create(
        created_at=timezone.now(),
        cutoff=timezone.now(),
        purged_count=1,
        first_seq=1,
        anchor_seq=1,
        anchor_hash="a" * 64,
    )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditpurge WHERE id = %s", [purge.pk])
