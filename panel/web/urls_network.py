"""Web pages of the network area, merged into `panel/web/urls.py` (names live in the `web` namespace).

Floating IPs are `<account>:<floating IP id>`; a protected address is `<account>:<IpAddress id>`
(the reference's network-protection id).
"""

from django.urls import URLPattern, path

from .views import network

P = "network/protection/<str:ref>"

urlpatterns: list[URLPattern] = [
    path("network/", network.network_index, name="network"),
    path("network/floating-ips/buy/", network.floating_ip_purchase, name="floating_ip_purchase"),
    path("network/floating-ips/<str:ref>/cancel/", network.floating_ip_cancel, name="floating_ip_cancel"),
    path(
        "network/floating-ips/<str:ref>/undo-cancel/",
        network.floating_ip_undo_cancel,
        name="floating_ip_undo_cancel",
    ),
    path(f"{P}/", network.protection_detail, name="network_protection"),
    path(f"{P}/bandwidth.json", network.protection_bandwidth, name="network_protection_bandwidth"),
    path(f"{P}/attacks/<str:attack_id>/", network.attack_detail, name="network_attack"),
    path(
        f"{P}/attacks/<str:attack_id>/bandwidth.json",
        network.attack_bandwidth,
        name="network_attack_bandwidth",
    ),
    path(f"{P}/geo/create/", network.geo_set, name="network_geo_set"),
    path(f"{P}/geo/change/", network.geo_update, name="network_geo_update"),
    path(f"{P}/geo/delete/", network.geo_delete, name="network_geo_delete"),
    path(f"{P}/whitelist/replace/", network.whitelist_set, name="network_whitelist_set"),
    path(f"{P}/whitelist/change/", network.whitelist_update, name="network_whitelist_update"),
    path(f"{P}/whitelist/delete/", network.whitelist_delete, name="network_whitelist_delete"),
    path(f"{P}/blacklist/replace/", network.blacklist_set, name="network_blacklist_set"),
    path(f"{P}/blacklist/change/", network.blacklist_update, name="network_blacklist_update"),
    path(f"{P}/blacklist/delete/", network.blacklist_delete, name="network_blacklist_delete"),
]
