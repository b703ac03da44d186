"""Typed results of the VPSBG v1 API, built from `components.schemas` of `openapi.json`.

Generated once from the reference, then kept by hand. Every model ignores unknown fields (a
provider change does not break the client). Only `id` is required where the reference requires
it: every other field defaults to None, because the reference's own examples omit fields it
calls required (Balance, Server in lists, Order in lists, Attack, ...), and a missing field must
not turn a good answer into an error. Enumerations stay plain `str` for the same reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    """Base of every result: unknown fields ignored, attributes settable by field name."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ErrorBody(ApiModel):
    """Generic error body for 401/403/404/423/429/500."""

    message: str | None = None


class ValidationErrorBody(ApiModel):
    """422 Unprocessable Content body."""

    message: str | None = None
    errors: dict[str, list[str]] | None = None


class PaginationLinks(ApiModel):
    """Confirmed on List invoices (api-3578754)."""

    first: str | None = None
    last: str | None = None
    prev: str | None = None
    next: str | None = None


class PaginationMeta(ApiModel):
    """Confirmed on List invoices (api-3578754); Laravel LengthAwarePaginator meta."""

    current_page: int | None = None
    from_: int | None = Field(None, alias="from")
    last_page: int | None = None
    links: list[PaginationMetaLink] | None = None
    path: str | None = None
    per_page: int | None = None
    to: int | None = None
    total: int | None = None


class TwoFactorSecret(ApiModel):
    """TwoFactorSecret as the API returns it."""

    secret_key: str | None = None
    otp_auth_url: str | None = None


class Country(ApiModel):
    """Country as the API returns it."""

    code: str | None = None
    name: str | None = None
    name_bg: str | None = None
    tax_rate: float | None = None


class User(ApiModel):
    """Account information as returned by Update user (200)."""

    name: str | None = None
    email: str | None = None
    tech_email: str | None = None
    phone_number: str | None = None
    country: Country | None = None
    city: str | None = None
    address: str | None = None
    aff_hash: str | None = None
    company_name: str | None = None
    company_address: str | None = None
    company_number: str | None = None
    vat_number: str | None = None
    two_factor_enabled: bool | None = Field(None, alias="2fa_enabled")
    email_otp_enabled: bool | None = None
    newsletter: bool | None = None


class BalanceLastDeposit(ApiModel):
    """BalanceLastDeposit as the API returns it."""

    amount: float | None = None
    amount_with_vat: float | None = None
    payment_method: str | None = None
    payment_date: str | None = None


class UnconfirmedBitcoinDeposit(ApiModel):
    """UnconfirmedBitcoinDeposit as the API returns it."""

    tx_hash: str | None = None
    tx_amount: str | None = None
    amount: float | None = None
    amount_with_vat: float | None = None
    noticed_on: str | None = None


class Balance(ApiModel):
    """Balance as the API returns it."""

    balance: float | None = None
    balance_limit: float | None = None
    estimated_expenses: int | None = None
    estimated_funds: float | None = None
    shortfall: int | None = None
    currency: str | None = None
    has_valid_card: bool | None = None
    last_deposit: BalanceLastDeposit | None = None
    unconfirmed_bitcoin_deposits: list[UnconfirmedBitcoinDeposit] | None = None


class Order(ApiModel):
    """Billing order."""

    id: int
    tax_rate: float | None = None
    amount: float | None = None
    amount_with_vat: float | None = None
    amount_from_balance: float | None = None
    payment_method: str | None = None
    status: str | None = None
    type: str | None = None
    auto_pay: bool | None = None
    promo_applicable: bool | None = None
    created_at: datetime | None = None
    due_at: datetime | None = None
    payment_date: datetime | None = None
    invoices: list[OrderInvoice] | None = None
    promo: OrderPromo | None = None
    payment_information: OrderPaymentInformation | None = None
    services: list[OrderService] | None = None


class Affiliate(ApiModel):
    """Affiliate summary."""

    referral_code: str | None = None
    referral_url: str | None = None
    referrals_turnover: float | None = None
    commission: float | None = None
    estimated_earnings: float | None = None
    all_time_earnings: float | None = None
    next_payout_in_days: int | None = None


class Invoice(ApiModel):
    """Invoice as the API returns it."""

    id: int
    invoice_number: str | None = None
    created_at: str | None = None
    amount: float | None = None
    amount_with_vat: float | None = None
    type: str | None = None
    order_ids: list[int] | None = None


class PaginationMetaLink(ApiModel):
    """PaginationMetaLink as the API returns it."""

    url: str | None = None
    label: str | None = None
    active: bool | None = None


class TicketAttachment(ApiModel):
    """Attachment metadata on a ticket message (4 fields per docs: array [object {4}])."""

    id: int | None = None
    name: str | None = None
    size: int | None = None
    mime_type: str | None = Field(None, alias="mimeType")


class TicketMessage(ApiModel):
    """TicketMessage as the API returns it."""

    id: int
    content: str | None = None
    is_customer: bool | None = None
    created_at: datetime | None = None
    attachments: list[TicketAttachment] | None = None


class Ticket(ApiModel):
    """Ticket as the API returns it."""

    id: int
    status: str | None = None
    subject: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    department: str | None = None
    service_label: str | None = None
    service_type: str | None = None
    service_id: int | None = None
    messages: list[TicketMessage] | None = None


class SshKeyServer(ApiModel):
    """SshKeyServer as the API returns it."""

    id: int
    hostname: str | None = None


class SshKey(ApiModel):
    """SshKey as the API returns it."""

    id: int | None = None
    name: str | None = None
    fingerprint: str | None = None
    key: str | None = None
    servers: list[SshKeyServer] | None = None


class Plan(ApiModel):
    """A deployable server plan (Cloud VPS = shared CPU, VDS = dedicated cores)."""

    id: int | None = None
    type: str | None = None
    key: str | None = None
    name: str | None = None
    vcpus: int | None = None
    memory: int | None = None
    disk: int | None = None
    bandwidth: int | None = None
    minimum_billing_cycle: int | None = None
    plan_with_more_disk: int | None = None
    plan_with_more_memory: int | None = None
    available: bool | None = None
    price: float | None = None
    price_with_vat: float | None = None


class ServerImageGroup(ApiModel):
    """The family an image belongs to (`{name, type, key}`, e.g. Ubuntu / os / ubuntu)."""

    name: str | None = None
    type: str | None = None
    key: str | None = None


class ServerImage(ApiModel):
    """An OS/app image: listed by `server_images_list`, nested in `Server.server_image`.

    The reference has two schemas of the same shape for it (`ServerImage`, `ServerImageRef`):
    one model serves both, and the `*Ref*` names stay as aliases.
    """

    id: int | None = None
    name: str | None = None
    eol: bool | None = None
    group: ServerImageGroup | None = None


ServerImageRef = ServerImage
ServerImageRefGroup = ServerImageGroup


class ServerIpAddress(ApiModel):
    """IP address as embedded in Server.ip_addresses."""

    id: int | None = None
    ip_address: str | None = None
    prefix: int | None = None
    version: int | None = None
    type: str | None = None
    main: bool | None = None
    ddos_protected: bool | None = None
    floating_ip: bool | None = None
    floating_ip_id: int | None = None
    ptr: str | None = None
    assigned_on: datetime | None = None
    gateway: str | None = None
    mask: str | None = None


class ServerAddon(ApiModel):
    """Purchased addon attached to a server."""

    id: int | None = None
    name: str | None = None
    status: str | None = None
    quantity: int | None = None
    amount: float | None = None
    amount_with_vat: float | None = None
    created_at: str | None = None
    ended_at: str | None = None


class ServerStateCpu(ApiModel):
    """ServerStateCpu as the API returns it."""

    used: float | None = None
    free: float | None = None


class ServerStateDisk(ApiModel):
    """Shape assumed from /status."""

    used: float | None = None
    limit: int | None = None


class ServerStateMeasuredBoot(ApiModel):
    """ServerStateMeasuredBoot as the API returns it."""

    kernel_image: MeasuredBootImage | None = None


class ServerState(ApiModel):
    """Live technical state embedded in the Server model as 'state'."""

    running: bool | None = None
    node_reachable: bool | None = None
    cpu: ServerStateCpu | None = None
    memory: dict[str, Any] | None = None
    disk: ServerStateDisk | None = None
    amd_sev_level: int | None = None
    measured_boot: ServerStateMeasuredBoot | None = None


class ServerSettings(ApiModel):
    """ServerSettings as the API returns it."""

    renew_enabled: bool | None = None
    snapshots_enabled: bool | None = None


class Server(ApiModel):
    """A VPSBG server (the docs call it 'the server model')."""

    id: int
    hostname: str | None = None
    billing_cycle: int | None = None
    plan: Plan | None = None
    status: str | None = None
    virtualization: str | None = None
    promo_code: str | None = None
    renew_amount: float | None = None
    renew_amount_with_vat: float | None = None
    locked: bool | None = None
    locked_at: str | None = None
    created_at: datetime | None = None
    expiry_at: datetime | None = None
    potential_expiry_at: datetime | None = None
    auto_renew: bool | None = None
    show_smtp_form: bool | None = None
    server_image: ServerImageRef | None = None
    ip_addresses: list[ServerIpAddress] | None = None
    addons: list[ServerAddon] | None = None
    cancel_request: dict[str, Any] | None = None
    settings: ServerSettings | None = None
    state: ServerState | None = None


class MeasuredBootImage(ApiModel):
    """Uploaded Unified Kernel Image for measured boot."""

    id: int | None = None
    name: str | None = None
    size: int | None = None
    in_use: bool | None = None
    created_at: datetime | None = None


class ServerAddonEntry(ApiModel):
    """An addon attached to a server, as it appears in Server.addons[] (seen in a Server example on...."""

    id: int | None = None
    name: str | None = None
    status: str | None = None
    quantity: int | None = None
    amount: float | None = None
    amount_with_vat: float | None = None
    created_at: str | None = None
    ended_at: str | None = None


class ScaleCostEstimate(ApiModel):
    """ScaleCostEstimate as the API returns it."""

    amount: float | None = None
    amount_with_vat: float | None = None
    estimated_downtime: str | None = None


class AddonScaleCostEstimate(ApiModel):
    """Note: amounts are STRINGS here (unlike the server scale estimate)."""

    amount: str | None = None
    amount_with_vat: str | None = None


class ServerAddonOffer(ApiModel):
    """ServerAddonOffer as the API returns it."""

    key: str | None = None
    price: float | None = None
    price_with_vat: float | None = None
    price_until_expiry: float | None = None
    price_until_expiry_with_vat: float | None = None
    scale_price: float | None = None
    scale_price_with_vat: float | None = None


class PlanAddonPrice(ApiModel):
    """PlanAddonPrice as the API returns it."""

    key: str | None = None
    price: int | None = None
    price_with_vat: int | float | None = None


class PromoCode(ApiModel):
    """PromoCode as the API returns it."""

    code: str | None = None
    percentage: int | None = None
    minimum_billing_cycle: int | None = None


class Snapshot(ApiModel):
    """Snapshot as the API returns it."""

    id: int | None = None
    server_id: int | None = None
    name: str | None = None
    created_at: str | None = None
    size: int | None = None


class Backup(ApiModel):
    """Current page lists 7 fields; the older page version listed only id, server_id, name, created_at,...."""

    id: int | None = None
    server_id: int | None = None
    server_hostname: str | None = None
    server_ip: str | None = None
    name: str | None = None
    created_at: datetime | None = None
    size: int | None = None


class Iso(ApiModel):
    """ISO model NOT seen in any available reference page; placeholder only."""

    id: int | None = None
    name: str | None = None


class IpAddressFloatingIpOption(ApiModel):
    """IpAddressFloatingIpOption as the API returns it."""

    id: int | None = None
    status: str | None = None
    ip: str | None = None
    server_id: int | None = None
    expiry: str | None = None


class IpAddress(ApiModel):
    """IP address object."""

    id: int
    ip_address: str | None = None
    prefix: int | None = None
    version: int | None = None
    type: str | None = None
    main: bool | None = None
    ddos_protected: bool | None = None
    floating_ip: bool | IpAddressFloatingIpOption | None = None
    floating_ip_id: int | None = None
    ptr: dict[str, str] | None = None
    assigned_on: datetime | None = None


class FloatingIpPlan(ApiModel):
    """Plan object embedded in a Floating IP (as seen in List Floating IPs example)."""

    id: int | None = None
    name: str | None = None
    available: bool | None = None
    price: float | None = None
    price_with_vat: float | None = None


class CancelRequest(ApiModel):
    """Pending cancellation request of a service; null when none."""

    id: int | None = None
    type: int | None = None
    reason: str | None = None
    created_at: datetime | None = None


class FloatingIp(ApiModel):
    """Floating IP product (docs: 'object (Floating IP) {13}')."""

    id: int | None = None
    status: str | None = None
    server_id: int | None = None
    server_hostname: str | None = None
    server_main_ip: str | None = None
    locked: bool | None = None
    locked_at: datetime | None = None
    lock_reason: str | None = None
    billing_cycle: int | None = None
    expiry_at: datetime | None = None
    plan: FloatingIpPlan | None = None
    ip_address: IpAddress | None = None
    cancel_request: CancelRequest | None = None


class OrderInvoice(ApiModel):
    """Invoice summary embedded in an Order."""

    id: int | None = None
    invoice_number: str | None = None
    created_at: datetime | None = None
    amount: float | None = None
    amount_with_vat: float | None = None
    type: str | None = None
    order_ids: list[int] | None = None


class OrderPromo(ApiModel):
    """OrderPromo as the API returns it."""

    code: str | None = None
    percentage: float | None = None
    minimum_billing_cycle: int | None = None


class OrderPaymentInformation(ApiModel):
    """Payment details; null when unpaid."""

    last_4: str | None = None
    brand: str | None = None
    expiry_month: str | None = None
    expiry_year: str | None = None
    tx_hash: str | None = None
    tx_amount: str | None = None
    confirmed_at: datetime | None = None


class OrderServicePromo(ApiModel):
    """OrderServicePromo as the API returns it."""

    code: str | None = None
    percentage: float | None = None


class OrderService(ApiModel):
    """One line item (service) in an Order."""

    label: str | None = None
    sublabel: str | None = None
    period_from: int | None = None
    period_to: int | None = None
    is_period_changeable: bool | None = None
    service_id: int | None = None
    service_billing_cycle: int | None = None
    service_minimum_billing_cycle: int | None = None
    service_type: str | None = None
    amount: float | None = None
    amount_with_vat: float | None = None
    amount_sublabel: str | None = None
    promo: OrderServicePromo | None = None


class OrderListItem(ApiModel):
    """Order as returned inside List orders: public page lists 15 keys (project page 14, without...."""

    id: int
    tax_rate: float | None = None
    amount: float | None = None
    amount_with_vat: float | None = None
    amount_from_balance: float | None = None
    payment_method: str | None = None
    status: str | None = None
    type: str | None = None
    auto_pay: bool | None = None
    promo_applicable: bool | None = None
    created_at: datetime | None = None
    due_at: datetime | None = None
    payment_date: datetime | None = None
    promo: OrderPromo | None = None
    payment_information: OrderPaymentInformation | None = None


class NetworkProtectionInfoProtectedService(ApiModel):
    """NetworkProtectionInfoProtectedService as the API returns it."""

    id: int | None = None
    type: str | None = None
    label: str | None = None


class NetworkProtectionInfo(ApiModel):
    """NetworkProtectionInfo as the API returns it."""

    under_attack: bool | None = None
    ip_address: IpAddress | None = None
    floating_ip_id: int | None = None
    expiry_at: datetime | None = None
    protected_service: NetworkProtectionInfoProtectedService | None = None


class GeoFilter(ApiModel):
    """GeoFilter as the API returns it."""

    active: bool | None = None
    action: str | None = None
    countries: list[str] | None = None


class IpFilterList(ApiModel):
    """State of a whitelist/blacklist module: whether it is active and its networks."""

    active: bool | None = None
    networks: list[str] | None = None


class IpFilterListInput(ApiModel):
    """IpFilterListInput as the API returns it."""

    networks: list[str] | None = None


class AttackSummary(ApiModel):
    """AttackSummary as the API returns it."""

    id: str
    ongoing: bool | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    detector: str | None = None
    severity: str | None = None
    reason: str | None = None
    description: str | None = None
    peak_bandwidth: float | None = None
    peak_pps: int | None = None


class AttackTopProtocolsItem(ApiModel):
    """AttackTopProtocolsItem as the API returns it."""

    name: str | None = None
    number: int | None = None
    peak_bandwidth: float | None = None
    peak_pps: int | None = None
    total_bandwidth: float | None = None
    total_pps: int | None = None


class AttackTopSourceAsnsItem(ApiModel):
    """AttackTopSourceAsnsItem as the API returns it."""

    asn: int | None = None
    name: str | None = None
    country: str | None = None
    peak_bandwidth: float | None = None
    peak_pps: int | None = None
    total_bandwidth: float | None = None
    total_pps: int | None = None


class AttackTopSourceIpsItem(ApiModel):
    """AttackTopSourceIpsItem as the API returns it."""

    ip: str | None = None
    country: str | None = None
    peak_bandwidth: float | None = None
    peak_pps: int | None = None
    total_bandwidth: float | None = None
    total_pps: int | None = None


class AttackTopPorts(ApiModel):
    """Only 'tcp' and 'udp' (both objects) are documented; their inner shape is not visible in the...."""

    tcp: dict[str, Any] | None = None
    udp: dict[str, Any] | None = None


class Attack(ApiModel):
    """Attack as the API returns it."""

    id: str
    ongoing: bool | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    detector: str | None = None
    severity: str | None = None
    reason: str | None = None
    description: str | None = None
    peak_bandwidth: float | None = None
    peak_pps: int | None = None
    initial_bandwidth: float | None = None
    initial_pps: int | None = None
    top_protocols: list[AttackTopProtocolsItem] | None = None
    top_source_asns: list[AttackTopSourceAsnsItem] | None = None
    top_source_ips: list[AttackTopSourceIpsItem] | None = None
    top_ports: AttackTopPorts | None = None


class AttackList(ApiModel):
    """AttackList as the API returns it."""

    data: list[AttackSummary] | None = None
    links: PaginationLinks | None = None
    meta: PaginationMeta | None = None


class ServerStatusCpu(ApiModel):
    """Percent values."""

    used: int | None = None
    free: int | None = None


class ServerStatusDisk(ApiModel):
    """GB."""

    used: float | None = None
    limit: int | None = None


class ServerStatusBandwidth(ApiModel):
    """GB."""

    used: float | None = None
    limit: int | None = None


class ServerStatus(ApiModel):
    """ServerStatus as the API returns it."""

    running: bool | None = None
    suspended: bool | None = None
    network_suspended: bool | None = None
    rescue_mode: bool | None = None
    dns_resolvers: list[str] | None = None
    cpu: ServerStatusCpu | None = None
    disk: ServerStatusDisk | None = None
    bandwidth: ServerStatusBandwidth | None = None


class ServerMetricsDataItem(ApiModel):
    """ServerMetricsDataItem as the API returns it."""

    timestamp: int | None = None
    running: bool | None = None
    cpu: float | None = None
    network_in: float | None = None
    network_out: float | None = None
    disk: float | None = None
    io_read: int | None = None
    io_write: float | None = None


class ServerMetrics(ApiModel):
    """ServerMetrics as the API returns it."""

    data: list[ServerMetricsDataItem] | None = None


class ServerBandwidthDailyUsageItem(ApiModel):
    """ServerBandwidthDailyUsageItem as the API returns it."""

    timestamp: int | None = None
    incoming: float | None = None
    outgoing: float | None = None


class ServerBandwidth(ApiModel):
    """ServerBandwidth as the API returns it."""

    limit: int | None = None
    used: float | None = None
    daily_usage: list[ServerBandwidthDailyUsageItem] | None = None


class RenewCostEstimatePromoCode(ApiModel):
    """RenewCostEstimatePromoCode as the API returns it."""

    code: str | None = None
    percentage: float | None = None
    minimum_billing_cycle: int | None = None


class RenewCostEstimate(ApiModel):
    """RenewCostEstimate as the API returns it."""

    amount: float | None = None
    amount_with_vat: float | None = None
    discount: int | None = None
    discount_with_vat: int | None = None
    promo_code: RenewCostEstimatePromoCode | None = None
    due_today_amount: float | None = None
    due_today_amount_with_vat: float | None = None
    promo_amount: float | None = None
    promo_amount_with_vat: float | None = None


__all__ = [
    "AddonScaleCostEstimate",
    "Affiliate",
    "ApiModel",
    "Attack",
    "AttackList",
    "AttackSummary",
    "AttackTopPorts",
    "AttackTopProtocolsItem",
    "AttackTopSourceAsnsItem",
    "AttackTopSourceIpsItem",
    "Backup",
    "Balance",
    "BalanceLastDeposit",
    "CancelRequest",
    "Country",
    "FloatingIp",
    "FloatingIpPlan",
    "GeoFilter",
    "Invoice",
    "IpAddress",
    "IpAddressFloatingIpOption",
    "IpFilterList",
    "IpFilterListInput",
    "Iso",
    "MeasuredBootImage",
    "NetworkProtectionInfo",
    "NetworkProtectionInfoProtectedService",
    "Order",
    "OrderInvoice",
    "OrderListItem",
    "OrderPaymentInformation",
    "OrderPromo",
    "OrderService",
    "OrderServicePromo",
    "PaginationLinks",
    "PaginationMeta",
    "PaginationMetaLink",
    "Plan",
    "PlanAddonPrice",
    "PromoCode",
    "RenewCostEstimate",
    "RenewCostEstimatePromoCode",
    "ScaleCostEstimate",
    "Server",
    "ServerAddon",
    "ServerAddonEntry",
    "ServerAddonOffer",
    "ServerBandwidth",
    "ServerBandwidthDailyUsageItem",
    "ServerImage",
    "ServerImageGroup",
    "ServerImageRef",
    "ServerImageRefGroup",
    "ServerIpAddress",
    "ServerMetrics",
    "ServerMetricsDataItem",
    "ServerSettings",
    "ServerState",
    "ServerStateCpu",
    "ServerStateDisk",
    "ServerStateMeasuredBoot",
    "ServerStatus",
    "ServerStatusBandwidth",
    "ServerStatusCpu",
    "ServerStatusDisk",
    "Snapshot",
    "SshKey",
    "SshKeyServer",
    "Ticket",
    "TicketAttachment",
    "TicketMessage",
    "TwoFactorSecret",
    "UnconfirmedBitcoinDeposit",
    "User",
]
