from django.contrib import admin

from .models import Operation, TeamWebhook


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "team", "target_label", "state", "progress", "created_at", "finished_at")
    list_filter = ("state", "kind")
    search_fields = ("target_id", "actor_name")
    exclude = ("secret",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(TeamWebhook)
class TeamWebhookAdmin(admin.ModelAdmin):
    list_display = ("team", "url", "active")
