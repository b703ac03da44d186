"""Django admin for tokens: metadata only. The secret is neither shown nor editable here;
changing it goes through the team's token page, which checks it with VPSBG first."""
from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name", "team", "scope", "account_label", "masked", "status", "checked_at", "last_used_at",
    )
    list_filter = ("status", "scope", "team")
    search_fields = ("name", "account_label", "account_id", "team__name")
    exclude = ("secret_encrypted",)
    readonly_fields = (
        "team", "last4", "account_id", "account_label", "created_by", "created_by_name", "created_at",
        "last_used_at", "status", "status_message", "checked_at", "rotated_at", "rotation_count",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is added through the team's page, where VPSBG checks it
