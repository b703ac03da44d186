from django.apps import AppConfig


class GuardrailsConfig(AppConfig):
    name = "panel.guardrails"
    label = "guardrails"
    verbose_name = "Guardrails"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from panel.actions import pipeline

        from . import policies, spend

        for policy in policies.ALL:
            if policy not in pipeline.POLICIES:
                pipeline.POLICIES.append(policy)
        if spend.record_after_run not in pipeline.AFTER_RUN:
            pipeline.AFTER_RUN.append(spend.record_after_run)
