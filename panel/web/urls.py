"""Web pages, mounted at the site root. Servers are addressed as `<account id>:<server id>`."""

from django.urls import path

from .views import dashboard, servers

app_name = "web"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("servers/", servers.server_list, name="servers"),
    path("servers/<str:ref>/", servers.server_detail, name="server_detail"),
    path("servers/<str:ref>/start/", servers.server_start, name="server_start"),
    path("servers/<str:ref>/restart/", servers.server_restart, name="server_restart"),
    path("servers/<str:ref>/stop/", servers.server_stop, name="server_stop"),
    path("servers/<str:ref>/power-off/", servers.server_power_off, name="server_power_off"),
    path("servers/<str:ref>/hostname/", servers.server_hostname, name="server_hostname"),
    path("servers/<str:ref>/reverse-dns/", servers.server_reverse_dns, name="server_reverse_dns"),
    path("servers/<str:ref>/isos/", servers.server_isos, name="server_isos"),
    path("servers/<str:ref>/ssh-keys/", servers.server_ssh_keys, name="server_ssh_keys"),
    path("servers/<str:ref>/metrics.json", servers.server_metrics, name="server_metrics"),
    path("servers/<str:ref>/bandwidth.json", servers.server_bandwidth, name="server_bandwidth"),
]
