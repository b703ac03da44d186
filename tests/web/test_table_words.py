"""How list pages write amounts, moments and sortable columns: EUR on every amount, dates with
their age, a column header that sorts the list and keeps its filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from panel.accounts.roles import Role
from tests.web.conftest import BETA

NBSP = "\u00a0"


def render(text: str, **context: object) -> str:
    return Template(text).render(Context(context))


def test_amounts_show_their_currency_and_missing_ones_a_dash() -> None:
    assert render("{{ a|eur }}", a=12.5) == f"12.50{NBSP}EUR"
    assert render("{{ a|eur:c }}", a="7", c="bgn") == f"7.00{NBSP}BGN"
    assert render("{{ a|eur }}", a=None) == "—"


def test_moments_are_in_the_active_time_zone_with_their_age() -> None:
    moment = datetime.now(UTC) - timedelta(hours=3)
    with timezone.override("Europe/Sofia"):
        html = render("{{ m|moment }}", m=moment)
    assert "3 hours ago" in html and "Europe/Sofia" in html
    assert f"{moment.astimezone(ZoneInfo('Europe/Sofia')):%Y-%m-%d %H:%M}" in html  # Sofia's clock
    assert '<time datetime="2025-11-16' in render("{{ m|moment:'date' }}", m="2025-11-16T03:20:00Z")
    assert render("{{ m|moment }}", m=None) == "—"


@pytest.mark.django_db
def test_a_column_header_sorts_the_list_and_keeps_the_filters(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    body = browser.get(reverse("web:servers"), {"account": BETA, "sort": "hostname"}).content.decode()
    assert 'aria-sort="ascending"' in body
    assert "?account=admin%40beta.example&amp;sort=-hostname" in body  # click again: Z to A
    body = browser.get(reverse("web:servers"), {"sort": "-hostname"}).content.decode()
    assert 'aria-sort="descending"' in body and "?sort=hostname" in body


@pytest.mark.django_db
def test_a_member_chooses_a_time_zone_and_pages_show_times_in_it(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    response = browser.post(reverse("accounts:time_zone"), {"time_zone": "Europe/Sofia"}, follow=True)
    assert "Times are now shown in Europe/Sofia" in response.content.decode()
    assert '<option value="Europe/Sofia" selected>' in response.content.decode()
    assert "Europe/Sofia" in browser.get(reverse("vault:token_list")).content.decode()  # a token's "created"

    response = browser.post(reverse("accounts:time_zone"), {"time_zone": "Mars/Olympus"}, follow=True)
    assert "Choose a time zone from the list." in response.content.decode()
    browser.membership.user.refresh_from_db()
    assert browser.membership.user.time_zone == "Europe/Sofia"  # the refused choice changed nothing
