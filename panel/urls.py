"""URL configuration: the front doors (web, API), health and metrics, admin."""

from django.contrib import admin
from django.urls import include, path

from panel.core import views as core_views
from panel.core.metrics_view import metrics_view

urlpatterns = [
    path("", core_views.home, name="home"),
    path("favicon.ico", core_views.favicon),
    path("healthz", core_views.healthz, name="healthz"),
    path("healthz/live", core_views.livez, name="livez"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("audit/", include("panel.audit.urls")),
    path("", include("panel.accounts.urls")),
    path("", include("panel.sso.urls")),
    path("team/tokens/", include("panel.vault.urls")),
    path("team/api-tokens/", include("panel.api.urls_web")),
    path("api/", include("panel.api.urls")),
    path("operations/", include("panel.operations.urls")),
    path("bulk/", include("panel.bulk.urls")),
    path("schedules/", include("panel.schedules.urls")),
    path("guardrails/", include("panel.guardrails.urls")),
    path("", include("panel.web.urls")),
]

# Friendly error pages (templates/errors/error.html); JSON under /api/. Never a stack trace.
handler400 = "panel.core.views.bad_request"
handler403 = "panel.core.views.permission_denied"
handler404 = "panel.core.views.page_not_found"
handler500 = "panel.core.views.server_error"
