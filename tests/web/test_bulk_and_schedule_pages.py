"""The servers list's bulk selection, the confirmation that names the count, the batch page, and the
schedule pages, as a member sees them (no worker runs here: batches stay queued)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.actions import pipeline
from panel.bulk.models import BatchItem
from panel.operations.models import Operation
from panel.schedules.models import Schedule
from tests.web.conftest import UBUNTU, WEB_02

pytestmark = pytest.mark.django_db

NEW = reverse("bulk:new")


def test_the_list_offers_selection_to_who_may_act(web_team, member_of) -> None:
    body = member_of(Role.OPERATOR).get(reverse("web:servers")).content.decode()
    assert 'id="bulk-form"' in body and f'value="{UBUNTU}" form="bulk-form"' in body
    assert '<option value="servers_restart">Restart</option>' in body
    viewer = member_of(Role.VIEWER).get(reverse("web:servers")).content.decode()
    assert "bulk-form" not in viewer and 'name="servers"' not in viewer


def test_confirmation_names_the_count_and_must_be_typed(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    query = {"action": "servers_restart", "servers": [UBUNTU, WEB_02], "scope": "selected"}
    page = browser.get(NEW, query).content.decode()
    assert "Restart on 2 servers" in page and "ubuntu-2gb" in page and "Type “2”" in page
    form = {**query, "confirm_count": "3"}
    response = browser.post(NEW, form)
    assert response.status_code == 422 and "Type the number of servers exactly" in response.content.decode()
    assert not Operation.objects.exists()
    response = browser.post(NEW, {**query, "confirm_count": "2", "reason": "kernel update"})
    parent = Operation.objects.get(kind="bulk_servers_restart")
    assert response.status_code == 302 and response["Location"] == reverse("bulk:detail", args=[parent.pk])
    assert sorted(BatchItem.objects.filter(parent=parent).values_list("target", flat=True)) == [
        UBUNTU,
        WEB_02,
    ]
    assert parent.data["reason"] == "kernel update"
    detail = browser.get(response["Location"]).content.decode()
    assert "Restart (bulk) on 2 servers" in detail and "Not started yet" in detail


def test_all_that_match_the_filter(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    page = browser.get(
        NEW, {"action": "servers_restart", "scope": "filter", "filter": "q=web"}
    ).content.decode()
    count = int(re.search(r"Restart on (\d+) server", page).group(1))
    hidden = re.findall(r'name="servers" value="([^"]+)"', page)
    assert count == len(hidden) >= 1
    assert "ubuntu-2gb" not in page  # not matching the search


def test_a_held_batch_waits_for_approval_and_starts_nothing(web_team, member_of, monkeypatch) -> None:
    def hold(requests):
        raise pipeline.Pending(f"{len(requests)} restarts need an approval from an owner.")

    monkeypatch.setattr(pipeline, "POLICIES", [hold])
    browser = member_of(Role.OPERATOR)
    form = {
        "action": "servers_restart",
        "servers": [UBUNTU, WEB_02],
        "scope": "selected",
        "confirm_count": "2",
    }
    response = browser.post(NEW, form)
    assert response.status_code == 202
    page = response.content.decode()
    assert "Waiting for approval" in page and "2 restarts need an approval" in page
    assert not Operation.objects.exists()


def test_a_refused_batch_is_refused_once(web_team, member_of, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "POLICIES", [lambda requests: "Changes are frozen until Monday."])
    browser = member_of(Role.OPERATOR)
    form = {
        "action": "servers_restart",
        "servers": [UBUNTU, WEB_02],
        "scope": "selected",
        "confirm_count": "2",
    }
    response = browser.post(NEW, form)
    assert response.status_code == 403 and "frozen until Monday" in response.content.decode()
    assert not Operation.objects.exists()


def test_an_action_the_role_may_not_do_is_not_offered(web_team, member_of) -> None:
    response = member_of(Role.OPERATOR).get(NEW, {"action": "servers_reinstall", "servers": [UBUNTU]})
    assert response.status_code == 404


def test_schedule_pages(web_team, member_of) -> None:
    browser = member_of(Role.OWNER)
    picker = browser.get(reverse("schedules:new")).content.decode()
    assert "Take a snapshot" in picker and "Restart" in picker
    form = browser.get(reverse("schedules:new"), {"action": "servers_snapshots_create"}).content.decode()
    assert 'name="keep_last"' in form and 'name="cron"' in form
    response = browser.post(
        reverse("schedules:new"),
        {
            "action": "servers_snapshots_create",
            "name": "Nightly",
            "target_kind": "server",
            "server": UBUNTU,
            "cron": "0 3 * * *",
            "time_zone": "Europe/Sofia",
            "keep_last": "3",
        },
    )
    schedule = Schedule.objects.get(name="Nightly")
    assert response.status_code == 302 and response["Location"] == schedule.get_absolute_url()
    detail = browser.get(schedule.get_absolute_url()).content.decode()
    assert "ubuntu-2gb" in detail and "Keep the last 3" in detail and "Next runs" in detail
    upcoming = re.search(r"<h2>Next runs</h2>\s*<ul>(.*?)</ul>", detail, re.S).group(1)
    assert upcoming.count("<li>") == 5
    listing = browser.get(reverse("schedules:list")).content.decode()
    assert "Nightly" in listing and "Cron “0 3 * * *” (Europe/Sofia)" in listing
    bad = browser.post(
        reverse("schedules:new"),
        {
            "action": "servers_restart",
            "name": "Bad",
            "target_kind": "server",
            "server": UBUNTU,
            "cron": "0 25 * * *",
            "time_zone": "UTC",
        },
    )
    assert bad.status_code == 422 and "hour" in bad.content.decode()
    browser.post(reverse("schedules:pause", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert schedule.paused and "Paused by" in schedule.pause_reason
