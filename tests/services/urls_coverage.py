"""A URL conf with views declaring the VPSBG operations they reach (for the coverage report test)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import include, path
from django.views import View

from panel.services.registry import reaches


@reaches("servers_get", "servers_metrics")
def server_detail(request, ref):  # type: ignore[no-untyped-def]
    return HttpResponse()


class ServerPower(View):
    operation_ids = ("servers_start", "servers_stop")


@reaches("servers_list")
def api_servers(request):  # type: ignore[no-untyped-def]
    return HttpResponse()


def no_upstream(request):  # type: ignore[no-untyped-def]
    return HttpResponse()


api_patterns = [path("servers/", api_servers)]

urlpatterns = [
    path("servers/<str:ref>/", server_detail),
    path("servers/<str:ref>/power/", ServerPower.as_view()),
    path("about/", no_upstream),
    path("api/v1/", include(api_patterns)),
]
