"""The network pages in a real browser: charts draw under the strict CSP, nothing scrolls sideways at 390 px.

Why a browser: the traffic charts are drawn by `static/js/charts.js` from the JSON views, and only
a browser runs that script (and reports an inline script or style the CSP refused).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.web.browser import BROWSER, PHONE, csp_errors, expect, horizontal_overflow, open_page, sign_in
from tests.web.conftest import ALPHA

pytestmark = BROWSER

SHIELD = f"{ALPHA}:404"  # web-01's DDoS-protected address in the simulator's seed


@pytest.fixture
def admin(transactional_db, web_team):
    """Made before Playwright starts (see tests/web/browser.py)."""
    return MembershipFactory(team=web_team, user=UserFactory(), role=Role.ADMIN)


@pytest.fixture
def phone(live_server):
    yield from open_page(live_server.url, viewport=PHONE)


def test_network_pages_fit_a_phone_and_draw_their_charts(admin, phone) -> None:
    sign_in(phone, admin.user.email, PASSWORD, next_url="/network/")
    phone.wait_for_url("**/network/**")
    pages = [
        f"{reverse('web:network')}?account={ALPHA}",
        f"{reverse('web:floating_ip_purchase')}?account={ALPHA}",
        reverse("web:floating_ip_cancel", kwargs={"ref": f"{ALPHA}:608"}),
        reverse("web:network_protection", kwargs={"ref": SHIELD}),
        reverse("web:network_attack", kwargs={"ref": SHIELD, "attack_id": "Ws8PeaCFn4bZ4Rf"}),
        reverse("web:network_geo_delete", kwargs={"ref": SHIELD}),
    ]
    for url in pages:
        response = phone.goto(url)
        assert response is not None and response.status == 200, url
        phone.wait_for_load_state("networkidle")
        assert horizontal_overflow(phone) <= 0, url
    phone.goto(pages[3])
    expect(phone.locator("#traffic-chart figure.chart-box").first).to_be_visible()
    phone.select_option("#traffic-range", "7")
    expect(phone.locator("#traffic-chart figure.chart-box").first).to_be_visible()
    phone.goto(pages[4])
    expect(phone.locator("#attack-chart figure.chart-box").first).to_be_visible()
    assert not csp_errors(phone)
