"""What the paying server actions would spend, read from VPSBG (the simulator) as the requester:
the calculate endpoints' quotes for renewals and scaling, the addon offers' prices until the
server's expiry, and a new order added up from the price lists. No price: None, never a guess."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache

from panel.accounts.models import Team
from panel.accounts.roles import Role
from panel.actions.base import Action
from panel.actions.deploy import DEPLOY
from panel.actions.request import ActionRequest
from panel.actions.server_billing import ADDON_PURCHASE, ADDONS_SCALE, RENEW, SCALE
from panel.core.errors import NotFoundError
from panel.services import cache as service_cache
from panel.services import execution
from panel.services.context import Actor
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from tests.factories import MembershipFactory
from vpsbg_api.simulator.testing import RunningSimulator, simulator_fixture

pytestmark = pytest.mark.django_db

ALPHA = "ops@alpha.example"  # the simulator's demo account "alpha"


@pytest.fixture
def upstream(settings, monkeypatch) -> Iterator[RunningSimulator]:
    """A fresh simulator (frozen clock), a cache of this test's own, one try per call."""
    from vpsbg_api import RetryPolicy

    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    monkeypatch.setattr(execution, "RETRY", RetryPolicy(max_attempts=1))
    cache.clear()
    service_cache.clear_local()
    with simulator_fixture() as sim:
        settings.VPSBG_API_URL = sim.base_url
        yield sim
    cache.clear()
    service_cache.clear_local()
    execution.clear_client_pool()


@pytest.fixture
def alpha(team: Team, upstream: RunningSimulator) -> Actor:
    """The owner of a team holding alpha's read-write token."""
    token = ApiToken(team=team, name="alpha", scope=TokenScope.READ_WRITE, account_id=ALPHA,
                     account_label="Alpha", status=TokenStatus.OK)  # fmt: skip
    token.set_secret(upstream.tokens["alpha_rw"])
    token.save()
    return Actor(MembershipFactory(team=team, role=Role.OWNER))


def cost(action: Action, actor: Actor, target: str, **data: object) -> tuple[Decimal, str] | None:
    assert action.cost is not None
    return action.cost(ActionRequest.create(action, actor=actor, target=target, data=data))


EUR = "EUR"
# The simulator's clock stands at 2025-11-28 03:20 UTC. Server 2867 (cloud-vps-8gb, 70 a month,
# a cPanel admin-5 licence) runs until 2026-03-18: 110 days, 3.67 months (VPSBG's addon offers round
# it to 4). Server 2864 (cloud-vps-2gb, 22.33 a month, backups at 5) and 2872 (Windows, 3 RDS
# licences) are past their expiry: one month. VAT is 20 %.


def test_a_renewal_costs_what_vpsbg_says_is_due_today(alpha) -> None:
    server = [f"{ALPHA}:2864"]
    # (22.33 + 5) * 3 months = 81.99, with VAT 98.39
    assert cost(RENEW, alpha, ALPHA, servers=server, billing_cycle=3) == (Decimal("98.39"), EUR)
    # fall2403 takes 10 % off the server's line (6.70): 75.29, with VAT 90.35
    assert cost(RENEW, alpha, ALPHA, servers=server, billing_cycle=3, promo_code="fall2403") == (
        Decimal("90.35"), EUR,
    )  # fmt: skip


def test_scaling_costs_the_difference_until_the_expiry(alpha) -> None:
    # (125 - 70) * 3.67 months = 201.67, with VAT 242.00
    assert cost(SCALE, alpha, f"{ALPHA}:2867", plan="cloud-vps-16gb") == (Decimal("242.00"), EUR)


def test_buying_addons_costs_each_ones_price_until_the_expiry(alpha) -> None:
    # backups 5 + unmetered 100 Mbps 50, * 4 months, with VAT
    assert cost(ADDON_PURCHASE, alpha, f"{ALPHA}:2867", backups=True, bandwidth="100mbps-unmetered") == (
        Decimal("264.00"), EUR,
    )  # fmt: skip
    assert cost(ADDON_PURCHASE, alpha, f"{ALPHA}:2864", cpanel="cpanel-pro-30") == (Decimal("42.0"), EUR)
    # VPSBG offers no backups to a server that has them, nor licences in its offers: no price
    assert cost(ADDON_PURCHASE, alpha, f"{ALPHA}:2864", backups=True) is None
    assert cost(ADDON_PURCHASE, alpha, f"{ALPHA}:2872", microsoft_office_sal=2) is None


def test_changing_licences_costs_vpsbgs_quote_and_leaves_the_rds_count_alone(alpha) -> None:
    # cPanel admin-5 (25) to pro-30 (35): 10 * 4 months, with VAT
    assert cost(ADDONS_SCALE, alpha, f"{ALPHA}:2867", cpanel="cpanel-pro-30") == (Decimal("48.00"), EUR)
    # two Office licences (12 each) for a month, with VAT; the server's three RDS licences stay
    # (quoted with RDS at 0, the two would be offset by dropping them: 10.80)
    assert cost(ADDONS_SCALE, alpha, f"{ALPHA}:2872", microsoft_office_sal=2) == (Decimal("28.80"), EUR)


def test_a_new_order_adds_up_vpsbgs_price_lists(alpha) -> None:
    order = {"name": ["a.example.com", "b.example.com"], "plan": "cloud-vps-2gb", "billing_cycle": 3,
             "image_id": 73, "backups": True, "extra_ipv4": 1}  # fmt: skip
    # per server (plan 26.80 + backups 6 + one IPv4 3) * 3 months = 107.40; two servers
    assert cost(DEPLOY, alpha, ALPHA, **order) == (Decimal("214.80"), EUR)
    # fall2403: 10 % off the plan (24.12): (24.12 + 9) * 3 = 99.36 a server
    assert cost(DEPLOY, alpha, ALPHA, **{**order, "promo_code": "FALL2403"}) == (Decimal("198.72"), EUR)
    # Windows Server 2022 brings its licence (12), and two RDS licences (6 each): 26.80 + 24, * 1
    windows = {"name": ["w.example.com"], "plan": "cloud-vps-2gb", "billing_cycle": 1, "image_id": 100,
               "microsoft_rds_sal": 2}  # fmt: skip
    assert cost(DEPLOY, alpha, ALPHA, **windows) == (Decimal("50.80"), EUR)


def test_a_new_order_vpsbg_would_not_price_has_no_cost(alpha) -> None:
    order = {"name": ["a.example.com"], "plan": "cloud-vps-2gb", "billing_cycle": 1, "image_id": 73}
    assert cost(DEPLOY, alpha, ALPHA, **{**order, "promo_code": "nosuchcode"}) is None
    assert cost(DEPLOY, alpha, ALPHA, **{**order, "promo_code": "fall2403"}) is None  # needs 3 months
    assert cost(DEPLOY, alpha, ALPHA, **{**order, "plan": "no-such-plan"}) is None


def test_the_price_is_read_as_the_requester(alpha, team) -> None:
    limited = Actor(MembershipFactory(team=team, role=Role.ADMIN, server_scope=[f"{ALPHA}:2864"]))
    assert cost(SCALE, limited, f"{ALPHA}:2864", plan="cloud-vps-4gb") is not None
    with pytest.raises(NotFoundError):  # outside the member's servers: as if it did not exist
        cost(SCALE, limited, f"{ALPHA}:2867", plan="cloud-vps-16gb")
