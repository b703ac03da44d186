"""`/guardrails/`: approval requests, rules, budgets, freezes, elevations (namespace `guardrails`)."""

from django.urls import path

from . import views

app_name = "guardrails"

urlpatterns = [
    path("", views.index, name="index"),
    path("approvals/<int:pk>/", views.approval, name="approval"),
    path("approvals/<int:pk>/decide", views.approval_decide, name="approval_decide"),
    path("approvals/<int:pk>/withdraw", views.approval_withdraw, name="approval_withdraw"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/toggle", views.rule_toggle, name="rule_toggle"),
    path("rules/<int:pk>/delete", views.rule_delete, name="rule_delete"),
    path("budgets/", views.budgets, name="budgets"),
    path("budgets/<int:pk>/delete", views.budget_delete, name="budget_delete"),
    path("freezes/", views.freeze_list, name="freezes"),
    path("freezes/<int:pk>/toggle", views.freeze_toggle, name="freeze_toggle"),
    path("freezes/<int:pk>/delete", views.freeze_delete, name="freeze_delete"),
    path("freezes/<int:pk>/break-glass", views.freeze_break, name="freeze_break"),
    path("elevations/", views.elevation_list, name="elevations"),
    path("elevations/<int:pk>/decide", views.elevation_decide, name="elevation_decide"),
    path("elevations/<int:pk>/end", views.elevation_end, name="elevation_end"),
]
