"""Panel API tokens: hashed at rest, shown once, expiry, allow-list, read-only, revocation, demotion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from panel.accounts.roles import Role
from panel.api.models import PanelApiToken
from panel.audit.models import AuditEvent
from tests.fixtures_accounts import sign_in

pytestmark = pytest.mark.django_db


def _me(client):
    return client.get("/api/v1/me")


def test_plaintext_is_nowhere_in_the_database(api) -> None:
    client = api()
    assert _me(client).status_code == 200
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            assert client.plaintext not in repr(cursor.fetchall()), table
    token = PanelApiToken.objects.get()
    assert client.plaintext.startswith("vpp_") and token.prefix == client.plaintext[:8]


def test_the_page_shows_the_token_once(team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    response = browser.post(reverse("api_tokens:list"), {"label": "backup script", "expires_in": "30"})
    assert response.status_code == 200
    token = PanelApiToken.objects.get(label="backup script")
    text = response.content.decode()
    plaintext = text.split('id="new-token-value">')[1].split("<")[0]
    assert plaintext.startswith(token.prefix) and response["Cache-Control"] == "no-store"
    again = browser.get(reverse("api_tokens:list")).content.decode()
    assert plaintext not in again and token.prefix in again
    assert AuditEvent.objects.filter(operation_id="panel_api_token.create", outcome="ok").count() == 1


def test_the_page_refuses_a_bad_allow_list(member_of) -> None:
    browser = member_of(Role.VIEWER)
    response = browser.post(
        reverse("api_tokens:list"), {"label": "x", "expires_in": "30", "allowed_ips": "10.0.0.1\nnot-an-ip"}
    )
    assert response.status_code == 422
    assert "not-an-ip" in response.content.decode() and not PanelApiToken.objects.exists()


def test_an_expired_token_is_refused(api) -> None:
    client = api()
    PanelApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _me(client)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_allow_list_is_checked(api) -> None:
    client = api(allowed_ips=["203.0.113.0/24"])
    assert client.get("/api/v1/me", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert client.get("/api/v1/me", REMOTE_ADDR="198.51.100.1").status_code == 401


def test_a_read_only_token_is_refused_on_writes(api) -> None:
    client = api(Role.OWNER, read_only=True)
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/servers/ops@alpha.example:1/restart", {}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"
    # a price quote is a read, even though VPSBG takes it as a POST
    quote = client.post(
        "/api/v1/servers/ops@alpha.example:1/scale/calculate",
        {"plan": "x", "scale_disk": True},
        format="json",
    )
    assert quote.status_code != 403


def test_a_revoked_token_is_refused(api, team) -> None:
    client = api()
    browser = sign_in(client.membership.user, team=team)
    response = browser.post(reverse("api_tokens:revoke", args=[client.token.pk]))
    assert response.status_code == 302
    assert _me(client).status_code == 401
    assert AuditEvent.objects.filter(operation_id="panel_api_token.revoke").count() == 1


def test_a_token_can_revoke_itself(api) -> None:
    client = api()
    response = client.post(f"/api/v1/api-tokens/{client.token.pk}/revoke")
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert _me(client).status_code == 401


def test_last_use_is_recorded(api) -> None:
    client = api()
    assert PanelApiToken.objects.get().last_used_at is None
    _me(client)
    token = PanelApiToken.objects.get()
    assert token.last_used_at is not None and token.last_used_ip == "127.0.0.1"


def test_a_member_demoted_today_is_limited_today(api) -> None:
    client = api(Role.ADMIN)
    assert client.get("/api/v1/audit").status_code == 200
    client.membership.role = Role.VIEWER
    client.membership.save()
    response = client.get("/api/v1/audit")
    assert response.status_code == 403
    assert "Viewer" in response.json()["error"]["message"]


def test_a_removed_member_has_no_token(api) -> None:
    client = api()
    client.membership.delete()
    assert _me(client).status_code == 401


def test_garbage_authorization_is_a_401(db, client) -> None:
    for header in ("Bearer", "Bearer vpp_nope", "Bearer x y", "Basic abc"):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert set(response.json()["error"]) >= {"code", "message", "fields"}


def test_a_member_sees_only_their_tokens_an_admin_all(api, team, member_of) -> None:
    mine = api(Role.VIEWER, label="mine")
    api(Role.OPERATOR, label="someone else's")
    listed = mine.get("/api/v1/api-tokens").json()
    assert [t["label"] for t in listed["results"]] == ["mine"]
    page = member_of(Role.ADMIN).get(reverse("api_tokens:list")).content.decode()
    assert "mine" in page and "someone else" in page
    viewer_page = sign_in(mine.membership.user, team=team).get(reverse("api_tokens:list")).content.decode()
    assert "someone else" not in viewer_page


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_only_an_owner_revokes_an_owners_token_on_the_web(role, api, team) -> None:
    """Owners are protected from admins for their tokens as for their membership."""
    owners_script = api(Role.OWNER, label="owner's backup script")
    member = api(role)
    browser = sign_in(member.membership.user, team=team)
    page = browser.get(reverse("api_tokens:list")).content.decode()
    offered = f'action="{reverse("api_tokens:revoke", args=[owners_script.token.pk])}"' in page
    response = browser.post(reverse("api_tokens:revoke", args=[owners_script.token.pk]))
    if role == Role.OWNER:
        assert offered and response.status_code == 302
        assert _me(owners_script).status_code == 401
        return
    assert not offered and response.status_code == 403
    assert _me(owners_script).status_code == 200  # the owner's script still works
    if role == Role.ADMIN:  # the refusal is in the log, as for memberships
        event = AuditEvent.objects.get(operation_id="panel_api_token.revoke")
        assert event.outcome == "denied" and "Only an owner" in event.reason
        assert "Only an owner" in response.content.decode()


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_role_revokes_an_owners_token_through_the_api(role, api) -> None:
    owners_script = api(Role.OWNER, label="owner's backup script")
    response = api(role).post(f"/api/v1/api-tokens/{owners_script.token.pk}/revoke")
    assert response.status_code == 404
    assert _me(owners_script).status_code == 200


def test_an_admin_still_revokes_a_non_owners_token(api, team) -> None:
    operators_script = api(Role.OPERATOR)
    browser = sign_in(api(Role.ADMIN).membership.user, team=team)
    assert browser.post(reverse("api_tokens:revoke", args=[operators_script.token.pk])).status_code == 302
    assert _me(operators_script).status_code == 401
