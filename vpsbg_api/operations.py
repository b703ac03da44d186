"""`OPERATIONS`: every operationId of the reference -> a callable `(client, **kwargs)` performing it.

Naming rule (what the panel codes against): the operationId's area prefix becomes the client
attribute, the rest the method name: `servers_reinstall` -> `client.servers.reinstall`,
`network_protection_whitelist_set` -> `client.network_protection.whitelist_set`,
`support_plans_purchase` -> `client.support_plans.purchase`. Exceptions: the `user_2fa_*`
operations become `client.user.two_factor_*` (`user_2fa_get_secret` -> `two_factor_secret`), and
`measured_boot_images_*` live on `client.measured_boot.images_*`. Paginated lists also get an
`iter_all` (or `<name>_iter_all`) walking every page; it is not an operation of its own.

Keyword arguments are the method's: path parameters by their reference name (`id`, `server_id`),
query parameters without their `filter[...]` wrapper (`status=`; `sort[created_at]` is
`sort_created_at=`), body fields by their reference name (`attachments[]` is `attachments=`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .spec import ROUTES

if TYPE_CHECKING:
    from .client import Client

__all__ = ["METHODS", "OPERATIONS", "Operation", "method_of"]

METHODS: dict[str, tuple[str, str]] = {
    "user_2fa_get_secret": ("user", "two_factor_secret"),
    "user_2fa_enable": ("user", "two_factor_enable"),
    "user_2fa_disable": ("user", "two_factor_disable"),
    "user_update": ("user", "update"),
    "user_get": ("user", "get"),
    "balance_get": ("balance", "get"),
    "balance_deposit": ("balance", "deposit"),
    "balance_transactions_list": ("balance", "transactions_list"),
    "affiliate_get": ("affiliate", "get"),
    "affiliate_activate": ("affiliate", "activate"),
    "affiliate_update_referral_code": ("affiliate", "update_referral_code"),
    "affiliate_conversions_list": ("affiliate", "conversions_list"),
    "affiliate_payouts_list": ("affiliate", "payouts_list"),
    "invoices_list": ("invoices", "list"),
    "invoices_download": ("invoices", "download"),
    "invoices_download_many": ("invoices", "download_many"),
    "support_tickets_create": ("support", "tickets_create"),
    "support_tickets_list": ("support", "tickets_list"),
    "support_tickets_reply": ("support", "tickets_reply"),
    "support_plans_purchase": ("support_plans", "purchase"),
    "ssh_keys_get": ("ssh_keys", "get"),
    "ssh_keys_update": ("ssh_keys", "update"),
    "ssh_keys_delete": ("ssh_keys", "delete"),
    "support_tickets_get": ("support", "tickets_get"),
    "support_departments_list": ("support", "departments_list"),
    "support_related_services_list": ("support", "related_services_list"),
    "support_tickets_resolve": ("support", "tickets_resolve"),
    "support_tickets_attachment_download": ("support", "tickets_attachment_download"),
    "support_plans_list": ("support_plans", "list"),
    "support_plans_renew": ("support_plans", "renew"),
    "support_plans_cancel": ("support_plans", "cancel"),
    "support_plans_undo_cancel": ("support_plans", "undo_cancel"),
    "ssh_keys_list": ("ssh_keys", "list"),
    "ssh_keys_create": ("ssh_keys", "create"),
    "servers_list_plans": ("servers", "list_plans"),
    "servers_list": ("servers", "list"),
    "servers_deploy": ("servers", "deploy"),
    "servers_status": ("servers", "status"),
    "servers_get": ("servers", "get"),
    "servers_metrics": ("servers", "metrics"),
    "servers_bandwidth": ("servers", "bandwidth"),
    "servers_start": ("servers", "start"),
    "servers_restart": ("servers", "restart"),
    "servers_stop": ("servers", "stop"),
    "servers_power_off": ("servers", "power_off"),
    "servers_cancel": ("servers", "cancel"),
    "servers_undo_cancel": ("servers", "undo_cancel"),
    "servers_change_password": ("servers", "change_password"),
    "servers_update_hostname": ("servers", "update_hostname"),
    "servers_update_ssh_keys": ("servers", "update_ssh_keys"),
    "servers_modify_isos": ("servers", "modify_isos"),
    "servers_restore": ("servers", "restore"),
    "servers_reinstall": ("servers", "reinstall"),
    "servers_renew": ("servers", "renew"),
    "servers_change_primary_ip": ("servers", "change_primary_ip"),
    "servers_calculate_renew": ("servers", "calculate_renew"),
    "measured_boot_images_list": ("measured_boot", "images_list"),
    "measured_boot_images_upload": ("measured_boot", "images_upload"),
    "measured_boot_images_delete": ("measured_boot", "images_delete"),
    "servers_set_measured_boot": ("servers", "set_measured_boot"),
    "servers_scale_list_plans": ("servers", "scale_list_plans"),
    "servers_scale": ("servers", "scale"),
    "servers_scale_calculate": ("servers", "scale_calculate"),
    "servers_addons_list": ("servers", "addons_list"),
    "servers_addons_purchase": ("servers", "addons_purchase"),
    "servers_addons_scale": ("servers", "addons_scale"),
    "servers_addons_scale_calculate": ("servers", "addons_scale_calculate"),
    "servers_addons_cancel": ("servers", "addons_cancel"),
    "servers_addons_undo_cancel": ("servers", "addons_undo_cancel"),
    "servers_rescue_enable": ("servers", "rescue_enable"),
    "servers_rescue_disable": ("servers", "rescue_disable"),
    "plans_addons": ("plans", "addons"),
    "plans_promo_codes": ("plans", "promo_codes"),
    "snapshots_list": ("snapshots", "list"),
    "snapshots_delete": ("snapshots", "delete"),
    "servers_snapshots_create": ("servers", "snapshots_create"),
    "backups_list": ("backups", "list"),
    "backups_delete": ("backups", "delete"),
    "server_images_list": ("server_images", "list"),
    "isos_list": ("isos", "list"),
    "isos_add": ("isos", "add"),
    "isos_get": ("isos", "get"),
    "isos_delete": ("isos", "delete"),
    "floating_ips_list": ("floating_ips", "list"),
    "floating_ips_purchase": ("floating_ips", "purchase"),
    "floating_ips_cancel": ("floating_ips", "cancel"),
    "floating_ips_cancel_undo": ("floating_ips", "cancel_undo"),
    "ip_addresses_update": ("ip_addresses", "update"),
    "orders_list": ("orders", "list"),
    "orders_get": ("orders", "get"),
    "orders_delete": ("orders", "delete"),
    "orders_update": ("orders", "update"),
    "orders_change_renewal_period": ("orders", "change_renewal_period"),
    "floating_ips_plans": ("floating_ips", "plans"),
    "floating_ips_attach": ("floating_ips", "attach"),
    "floating_ips_detach": ("floating_ips", "detach"),
    "orders_pay": ("orders", "pay"),
    "network_protection_geo_get": ("network_protection", "geo_get"),
    "network_protection_geo_set": ("network_protection", "geo_set"),
    "network_protection_geo_update": ("network_protection", "geo_update"),
    "network_protection_geo_delete": ("network_protection", "geo_delete"),
    "network_protection_whitelist_get": ("network_protection", "whitelist_get"),
    "network_protection_whitelist_set": ("network_protection", "whitelist_set"),
    "network_protection_whitelist_update": ("network_protection", "whitelist_update"),
    "network_protection_whitelist_delete": ("network_protection", "whitelist_delete"),
    "network_protection_blacklist_get": ("network_protection", "blacklist_get"),
    "network_protection_blacklist_set": ("network_protection", "blacklist_set"),
    "network_protection_blacklist_update": ("network_protection", "blacklist_update"),
    "network_protection_blacklist_delete": ("network_protection", "blacklist_delete"),
    "network_protection_get": ("network_protection", "get"),
    "network_protection_bandwidth": ("network_protection", "bandwidth"),
    "network_protection_blocked_ips": ("network_protection", "blocked_ips"),
    "network_protection_attacks_list": ("network_protection", "attacks_list"),
    "network_protection_attack_get": ("network_protection", "attack_get"),
    "network_protection_attack_bandwidth": ("network_protection", "attack_bandwidth"),
}
"""operationId -> (client attribute, method name)."""


class Operation:
    """A callable performing one operation on a given client: `OPERATIONS[op](client, **kwargs)`."""

    __slots__ = ("area", "method", "operation_id")

    def __init__(self, operation_id: str, area: str, method: str) -> None:
        self.operation_id = operation_id
        self.area = area
        self.method = method

    def __call__(self, client: Client, /, **kwargs: Any) -> Any:
        return getattr(getattr(client, self.area), self.method)(**kwargs)

    def __repr__(self) -> str:
        return f"<Operation {self.operation_id} -> client.{self.area}.{self.method}>"


def method_of(client: Client, operation_id: str) -> Callable[..., Any]:
    """The bound client method performing `operation_id` (KeyError for an unknown name)."""
    area, method = METHODS[operation_id]
    bound: Callable[..., Any] = getattr(getattr(client, area), method)
    return bound


OPERATIONS: dict[str, Operation] = {
    op: Operation(op, area, method) for op, (area, method) in METHODS.items() if op in ROUTES
}
