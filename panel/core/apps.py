from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "panel.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Connect the Celery signal handlers in every process (web, worker, beat).
        from panel.core import signals  # noqa: F401
