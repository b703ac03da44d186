"""Busy and other messages in human words: the running operation linked, what was typed kept,
and no raw operation names or ISO timestamps on the server page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.operations.models import Operation
from tests.web.conftest import UBUNTU, server_tabs

pytestmark = pytest.mark.django_db

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def url(name: str, ref: str = UBUNTU) -> str:
    return reverse(f"web:{name}", kwargs={"ref": ref})


def _start_rescue(browser) -> Operation:
    body = browser.get(url("server_rescue_on")).content.decode()
    key = re.search(r'name="request_key" value="([0-9a-f]+)"', body).group(1)
    browser.post(url("server_rescue_on"), {"confirm_hostname": "ubuntu-2gb", "request_key": key})
    return Operation.objects.get()


def test_a_busy_server_names_and_links_the_running_operation_and_keeps_the_input(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    running = _start_rescue(browser)
    response = browser.post(url("server_snapshot"), {"name": "before-upgrade", "reason": "kernel 6.9"})
    page = response.content.decode()
    assert response.status_code == 422 and Operation.objects.count() == 1
    assert f"This server is busy: “{running.label}” (operation {running.pk}) is running on it." in page
    assert f'<a href="{reverse("operations:detail", kwargs={"pk": running.pk})}">' in page
    assert 'value="before-upgrade"' in page and 'value="kernel 6.9"' in page
    assert ">busy: " not in page  # no bare error code in front of the words


def test_vpsbg_busy_keeps_the_typed_hostname_and_says_it_in_words(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("servers_update_hostname", status=423)
    typed = {"hostname": "db-07.example", "reason": "x"}
    response = member_of(Role.ADMIN).post(url("server_hostname"), typed)
    page = response.content.decode()
    assert response.status_code == 423
    assert 'value="db-07.example"' in page  # not lost behind a redirect
    assert "VPSBG is still busy with server" in page and "Try again when its task ends." in page
    assert "server busy with" not in page


def test_server_page_has_no_raw_names_or_iso_times(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    running = _start_rescue(browser)
    page = server_tabs(browser, UBUNTU, "overview", "snapshots", "activity")
    main = "".join(part[part.index("<main") :] for part in page.split("<!doctype html>") if "<main" in part)
    assert running.label in main and "rescue_on" not in main
    assert "servers_rescue_enable" not in main  # the audit trail says what was done in words
    assert not ISO.findall(main), ISO.findall(main)[:3]
    assert "example_snapshot <small>2025-11-16 03:20 UTC</small>" in main


def test_paying_an_order_being_paid_links_the_payment(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    pay = reverse("web:order_pay", kwargs={"ref": "ops@alpha.example:7814"})
    browser.post(pay, {"request_key": "first", "confirm_order": "7814"})
    paying = Operation.objects.get()
    again = browser.post(pay, {"request_key": "second", "confirm_order": "7814", "reason": "month end"})
    page = again.content.decode()
    assert f"This order is busy: “{paying.label}” (operation {paying.pk})" in page
    assert f'<a href="{reverse("operations:detail", kwargs={"pk": paying.pk})}">' in page
    assert 'value="month end"' in page and Operation.objects.count() == 1
