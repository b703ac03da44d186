from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "panel.bulk"
    label = "bulk"
    verbose_name = "Bulk actions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The parent and child kinds join the operations registry (no edit of its module list).
        from . import kinds

        kinds.register_all()
