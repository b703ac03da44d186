"""Django admin for the audit log: view only (no add, change or delete, not even for superusers)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, AuditPurge


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "actor_name", "team_name", "operation_id", "outcome", "target_label")
    list_filter = ("outcome", "created_at")
    search_fields = ("actor_name", "operation_id", "target_id", "target_label", "request_id", "team_name")
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_select_related = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEvent._meta.fields]


@admin.register(AuditPurge)
class AuditPurgeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "cutoff", "purged_count", "first_seq", "anchor_seq", "anchor_hash")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditPurge._meta.fields]
