"""Web pages, mounted at the site root. Servers are addressed as `<account id>:<server id>`."""

from django.urls import path

from . import urls_account, urls_deploy, urls_network, urls_support
from .views import billing, dashboard, library, server_actions, servers

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
    path("library/", library.library_index, name="library"),
    path("library/ssh-keys/add/", library.ssh_key_create, name="ssh_key_create"),
    path("library/ssh-keys/<str:ref>/", library.ssh_key_detail, name="ssh_key"),
    path("library/ssh-keys/<str:ref>/edit/", library.ssh_key_update, name="ssh_key_update"),
    path("library/ssh-keys/<str:ref>/delete/", library.ssh_key_delete, name="ssh_key_delete"),
    path("library/isos/add/", library.iso_add, name="iso_add"),
    path("library/isos/<str:ref>/delete/", library.iso_delete, name="iso_delete"),
    path("library/boot-images/upload/", library.boot_image_upload, name="boot_image_upload"),
    path("library/boot-images/<str:ref>/delete/", library.boot_image_delete, name="boot_image_delete"),
    path("library/plans/<int:plan_id>/", library.plan_detail, name="plan"),
    path("billing/", billing.billing_index, name="billing"),
    path("billing/deposit/", billing.deposit, name="deposit"),
    path("billing/invoices/download/", billing.invoices_download_many, name="invoices_download"),
    path("billing/invoices/<str:ref>/download/", billing.invoice_download, name="invoice_download"),
    path("billing/orders/<str:ref>/", billing.order_detail, name="order"),
    path("billing/orders/<str:ref>/update/", billing.order_update, name="order_update"),
    path(
        "billing/orders/<str:ref>/renewal-period/", billing.order_renewal_period, name="order_renewal_period"
    ),
    path("billing/orders/<str:ref>/pay/", billing.order_pay, name="order_pay"),
    path("billing/orders/<str:ref>/delete/", billing.order_delete, name="order_delete"),
    path("servers/<str:ref>/reinstall/", server_actions.server_reinstall, name="server_reinstall"),
    path("servers/<str:ref>/restore/", server_actions.server_restore, name="server_restore"),
    path("servers/<str:ref>/snapshot/", server_actions.server_snapshot, name="server_snapshot"),
    path(
        "servers/<str:ref>/delete-snapshot/",
        server_actions.server_delete_snapshot,
        name="server_delete_snapshot",
    ),
] + [
    # Actions behind a confirmation page (reinstall, restore, scale, renew, cancel, ...).
    path(f"servers/<str:ref>/{slug}/", view, name=f"server_{slug.replace('-', '_')}")
    for slug, view in server_actions.VIEWS.items()
]

# Areas with their own URL modules (one per area, so each can grow on its own).
urlpatterns += urls_deploy.urlpatterns + urls_network.urlpatterns + urls_support.urlpatterns
urlpatterns += urls_account.urlpatterns
