"""`/api/`: the schema (`/api/schema/`), its documentation page (`/api/docs/`) and `/api/v1/...`
(namespace `api`).

The per-service endpoints are generated from the service registry (`endpoints.routes()`); the
rest are the panel's own objects. Object references in paths are `"<account id>:<id>"`.
"""

from __future__ import annotations

from django.apps import apps
from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .endpoints import REF_PATTERN, routes
from .views import panel as panel_views
from .views.service import view_for

app_name = "api"


class RefConverter:
    regex = REF_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


register_converter(RefConverter, "ref")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's static files; its init script is a separate request
    # (`?script`), so the page runs under the panel's CSP (no inline script, no CDN).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="schema-docs",
    ),
    path("v1/me", panel_views.MeView.as_view(), name="me"),
    path("v1/team/members", panel_views.MemberListView.as_view(), name="members"),
    path("v1/team/servers", panel_views.TeamServersView.as_view(), name="team_servers"),
    path("v1/team/balances", panel_views.TeamBalancesView.as_view(), name="team_balances"),
    path("v1/audit", panel_views.AuditListView.as_view(), name="audit"),
    path("v1/audit/<int:pk>", panel_views.AuditDetailView.as_view(), name="audit_detail"),
    path("v1/api-tokens", panel_views.ApiTokenListView.as_view(), name="api_tokens"),
    path("v1/api-tokens/<int:pk>/revoke", panel_views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
]

if apps.is_installed("panel.operations"):
    from .views import operations as operation_views

    urlpatterns += [
        path("v1/operations", operation_views.OperationListView.as_view(), name="operations"),
        path(
            "v1/operations/<int:pk>", operation_views.OperationDetailView.as_view(), name="operation_detail"
        ),
    ]

if apps.is_installed("panel.bulk"):
    from panel.bulk import api as bulk_api

    urlpatterns += [
        path("v1/bulk", bulk_api.BulkView.as_view(), name="bulk"),
        path("v1/bulk/<int:pk>", bulk_api.BatchDetailView.as_view(), name="bulk_detail"),
        path("v1/bulk/<int:pk>/retry", bulk_api.BatchRetryView.as_view(), name="bulk_retry"),
    ]

if apps.is_installed("panel.schedules"):
    from panel.schedules import api as schedule_api

    urlpatterns += [
        path("v1/schedules", schedule_api.ScheduleListView.as_view(), name="schedules"),
        path("v1/schedules/<int:pk>", schedule_api.ScheduleDetailView.as_view(), name="schedule_detail"),
        path("v1/schedules/<int:pk>/pause", schedule_api.SchedulePauseView.as_view(), name="schedule_pause"),
        path(
            "v1/schedules/<int:pk>/resume", schedule_api.ScheduleResumeView.as_view(), name="schedule_resume"
        ),
        path("v1/schedules/<int:pk>/runs", schedule_api.ScheduleRunsView.as_view(), name="schedule_runs"),
    ]
if apps.is_installed("panel.guardrails"):
    from panel.guardrails.api import urlpatterns as guardrails_urls

    urlpatterns += guardrails_urls()

for route, by_method in routes():
    first = min(by_method.values(), key=lambda e: (e.method != "GET", e.operation_id))
    urlpatterns.append(path(f"v1/{route}", view_for(by_method).as_view(), name=first.operation_id))
