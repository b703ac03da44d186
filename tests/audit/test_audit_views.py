"""Review pages: who sees what, filters and search, event detail, streamed exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent

LIST_URLS = ["audit:index", "audit:export_csv", "audit:export_json"]


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


def body(response) -> str:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.fixture
def events(make_event, owner, team, other_team, make_member) -> dict[str, AuditEvent]:
    other_owner = make_member(other_team, Role.OWNER, "Gus Globex")
    return {
        "restart": make_event(
            actor=owner.user,
            team=team,
            operation_id="servers_restart",
            target_type="server",
            target_id="11",
            target_label="web-1",
        ),
        "reinstall_failed": make_event(
            actor=owner.user,
            team=team,
            operation_id="servers_reinstall",
            target_type="server",
            target_id="12",
            target_label="db-1",
            outcome="failed",
            upstream_status=500,
            upstream_message="Upstream exploded",
            params={"password": "hunter2hunter2", "image_id": 3},
        ),
        "denied": make_event(
            actor=owner.user,
            team=team,
            operation_id="balance_deposit",
            outcome="denied",
            reason="testing limits",
        ),
        "other_team": make_event(
            actor=other_owner.user,
            team=other_team,
            operation_id="servers_stop",
            target_label="globex-secret-server",
        ),
    }


# --- who sees what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*LIST_URLS, "audit:detail"])
@pytest.mark.parametrize(
    "role, status",
    [(Role.OWNER, 200), (Role.ADMIN, 200), (Role.OPERATOR, 403), (Role.BILLING, 403), (Role.VIEWER, 403)],
)
def test_roles(name, role, status, events, team, make_member):
    member = make_member(team, role)
    kwargs = {"pk": events["restart"].pk} if name == "audit:detail" else {}
    response = signed_in(member.user).get(reverse(name, kwargs=kwargs))
    assert response.status_code == status
    if status == 403:
        assert role.label in response.content.decode()


@pytest.mark.parametrize("name", [*LIST_URLS, "audit:detail"])
def test_staff_sees_every_team(name, events, staff):
    kwargs = {"pk": events["other_team"].pk} if name == "audit:detail" else {}
    response = signed_in(staff).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert "globex-secret-server" in body(response)


@pytest.mark.parametrize("name", [*LIST_URLS, "audit:detail"])
def test_outsider_without_a_team_is_refused(name, events, outsider):
    kwargs = {"pk": events["restart"].pk} if name == "audit:detail" else {}
    assert signed_in(outsider).get(reverse(name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize("name", [*LIST_URLS, "audit:detail"])
def test_anonymous_is_sent_to_sign_in(name, events):
    kwargs = {"pk": events["restart"].pk} if name == "audit:detail" else {}
    response = Client().get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and "login" in response["Location"]


def test_other_teams_event_is_404_for_an_owner(events, owner):
    response = signed_in(owner.user).get(reverse("audit:detail", kwargs={"pk": events["other_team"].pk}))
    assert response.status_code == 404


@pytest.mark.parametrize("name", LIST_URLS)
def test_owner_never_sees_another_teams_events(name, events, owner, other_team):
    # Even when asking for the other team explicitly.
    response = signed_in(owner.user).get(reverse(name), {"team": other_team.pk, "q": "globex"})
    text = body(response)
    assert response.status_code == 200 and "globex-secret-server" not in text


def test_post_is_not_allowed(events, owner):
    assert signed_in(owner.user).post(reverse("audit:index")).status_code == 405


# --- list, filters, search -------------------------------------------------------------------------


def listed(browser: Client, **params: str) -> set[str]:
    response = browser.get(reverse("audit:index"), params)
    assert response.status_code == 200
    return {e.operation_id for e in response.context["page"].object_list}


def test_list_shows_the_team_newest_first(events, owner):
    response = signed_in(owner.user).get(reverse("audit:index"))
    ops = [e.operation_id for e in response.context["page"].object_list]
    assert ops == ["balance_deposit", "servers_reinstall", "servers_restart"]
    assert 'id="id_team"' not in response.content.decode()  # members do not pick teams


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"outcome": "failed"}, {"servers_reinstall"}),
        ({"outcome": "denied"}, {"balance_deposit"}),
        ({"action": "servers_re"}, {"servers_restart", "servers_reinstall"}),
        ({"target": "db-1"}, {"servers_reinstall"}),
        ({"target": "11"}, {"servers_restart"}),
        ({"actor": "olive"}, {"servers_restart", "servers_reinstall", "balance_deposit"}),
        ({"actor": "nobody"}, set()),
        ({"q": "exploded"}, {"servers_reinstall"}),
        ({"q": "testing limits"}, {"balance_deposit"}),
        ({"q": "web-1"}, {"servers_restart"}),
    ],
)
def test_filters_and_search(events, owner, params, expected):
    assert listed(signed_in(owner.user), **params) == expected


def test_filter_by_actor_id(events, owner):
    assert len(listed(signed_in(owner.user), actor=str(owner.user.pk))) == 3


def test_date_range(events, owner):
    today = dt.datetime.now(dt.UTC).date()
    browser = signed_in(owner.user)
    assert len(listed(browser, date_from=str(today), date_to=str(today))) == 3
    assert listed(browser, date_from=str(today + dt.timedelta(days=1))) == set()
    assert listed(browser, date_to=str(today - dt.timedelta(days=1))) == set()


def test_bad_date_shows_an_error_not_a_crash(events, owner):
    response = signed_in(owner.user).get(
        reverse("audit:index"), {"date_from": "yesterday", "date_to": "9999-12-31"}
    )
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()


def test_staff_filters_by_team(events, staff, other_team):
    assert listed(signed_in(staff), team=str(other_team.pk)) == {"servers_stop"}
    assert 'id="id_team"' in signed_in(staff).get(reverse("audit:index")).content.decode()


def test_htmx_request_gets_the_results_fragment(events, owner):
    response = signed_in(owner.user).get(
        reverse("audit:index"), {"outcome": "failed"}, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert "Reinstall Server" in text and "<html" not in text
    assert "servers_reinstall" not in text  # the action in words; its operationId only in the detail


def test_detail_shows_the_event_with_secrets_redacted(events, owner):
    event = events["reinstall_failed"]
    text = signed_in(owner.user).get(reverse("audit:detail", kwargs={"pk": event.pk})).content.decode()
    assert "servers_reinstall" in text and "Upstream exploded" in text and event.hash in text
    assert "[redacted]" in text and "hunter2" not in text


def test_pages_have_no_inline_script_or_style(events, owner):
    browser = signed_in(owner.user)
    for url in (reverse("audit:index"), reverse("audit:detail", kwargs={"pk": events["restart"].pk})):
        text = browser.get(url).content.decode()
        assert "<script>" not in text and "style=" not in text and "<style" not in text


# --- exports ---------------------------------------------------------------------------------------


@pytest.fixture
def many_events(owner, team) -> int:
    """2,000 events of the team, appended in batches (record() one by one is the slow path)."""
    from panel.audit.chain import append_many, verify
    from panel.audit.recorder import prepare

    appended = append_many(
        prepare(
            actor=owner.user,
            team=team,
            operation_id="servers_restart",
            target_id=str(i),
            params={"i": i, "token": f"secret-{i}"},
            outcome="ok",
        )
        for i in range(2000)
    )
    assert verify().ok
    return appended


def test_csv_export_streams_every_filtered_row(many_events, owner):
    response = signed_in(owner.user).get(reverse("audit:export_csv"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert len(rows) == many_events
    assert rows[0]["seq"] == "1" and rows[-1]["target_id"] == "1999"
    assert json.loads(rows[5]["params"]) == {"i": 5, "token": "[redacted]"}
    assert rows[0]["created_at"].endswith("Z")


def test_json_export_streams_a_json_array(many_events, owner):
    response = signed_in(owner.user).get(reverse("audit:export_json"))
    assert isinstance(response, StreamingHttpResponse)
    data = json.loads(body(response))
    assert len(data) == many_events
    assert data[0]["team_id"] is not None and data[0]["params"]["token"] == "[redacted]"


def test_export_follows_the_filter(events, owner):
    response = signed_in(owner.user).get(reverse("audit:export_json"), {"outcome": "failed"})
    data = json.loads(body(response))
    assert [row["operation_id"] for row in data] == ["servers_reinstall"]


def test_export_with_an_invalid_filter_exports_nothing(events, owner):
    response = signed_in(owner.user).get(reverse("audit:export_csv"), {"date_from": "not-a-date"})
    assert response.status_code == 400 and "date_from" in response.content.decode()


def test_empty_export_is_valid(db, owner):
    assert json.loads(body(signed_in(owner.user).get(reverse("audit:export_json")))) == []
    rows = list(csv.reader(io.StringIO(body(signed_in(owner.user).get(reverse("audit:export_csv"))))))
    assert len(rows) == 1 and rows[0][0] == "seq"


def test_csv_export_neutralizes_spreadsheet_formulas(make_event, owner, team):
    make_event(actor=owner.user, team=team, target_label='=HYPERLINK("http://evil")')
    rows = list(csv.DictReader(io.StringIO(body(signed_in(owner.user).get(reverse("audit:export_csv"))))))
    assert rows[0]["target_label"].startswith("'=")
