"""Every role x every vault page and method → allowed or denied as the permission table says.

The shared registry (`tests/permission_matrix.py`, checked by tests/accounts) covers one method per
URL; here every method each vault URL accepts is covered, and a denied write changes nothing.
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.permissions import ROLE_PERMISSIONS
from panel.accounts.roles import Role
from panel.vault.models import ApiToken, TokenScope
from tests.permission_matrix import URLS

pytestmark = pytest.mark.django_db

# url name -> {method: (action, form data)}
VAULT_PAGES = {
    "vault:token_list": {"GET": ("tokens.view", None)},
    "vault:token_add": {
        "GET": ("tokens.manage", None),
        "POST": ("tokens.manage", {"name": "new", "scope": "read_write", "secret": "new-secret-value"}),
    },
    "vault:token_replace": {
        "GET": ("tokens.manage", None),
        "POST": ("tokens.manage", {"secret": "replacement-secret"}),
    },
    "vault:token_check": {"POST": ("tokens.manage", {})},
    "vault:token_delete": {
        "GET": ("tokens.manage", None),
        "POST": ("tokens.manage", {"confirm_name": "existing"}),
    },
}
CASES = [(name, method) for name, methods in VAULT_PAGES.items() for method in methods]


@pytest.fixture(autouse=True)
def upstream_unreachable(settings, free_port):
    """Allowed writes reach the service; VPSBG is a closed loopback port (fast, no network)."""
    settings.VPSBG_API_URL = f"http://127.0.0.1:{free_port}/v1"
    settings.VPSBG_API_TIMEOUT = 1.0


@pytest.fixture
def existing(team):
    token = ApiToken(team=team, name="existing", scope=TokenScope.READ_WRITE)
    token.set_secret("existing-secret-value")
    token.save()
    return token


TEAM_PAGES = ("vault:token_list", "vault:token_add")  # no object in the URL


def _url(name, token):
    return reverse(name) if name in TEAM_PAGES else reverse(name, args=[token.pk])


def test_every_vault_url_is_in_the_shared_registry_with_the_same_action():
    vault_names = {n for n in URLS if n.startswith("vault:")}
    assert vault_names == set(VAULT_PAGES)
    for name, (method, action, _) in URLS.items():
        if name in VAULT_PAGES:
            assert VAULT_PAGES[name][method][0] == action


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("name,method", CASES)
def test_role_gets_what_the_table_says(name, method, role, team, existing, client_for):
    action, data = VAULT_PAGES[name][method]
    browser = client_for(team, role)
    url = _url(name, existing)
    before = list(ApiToken.objects.values_list("pk", "name", "secret_encrypted", "status"))

    response = browser.post(url, data) if method == "POST" else browser.get(url)

    assert response.status_code < 500
    if role in ROLE_PERMISSIONS[action]:
        assert response.status_code not in (403, 404), response.status_code
    else:
        assert response.status_code == 403
        assert role.label in response.content.decode()
        assert list(ApiToken.objects.values_list("pk", "name", "secret_encrypted", "status")) == before


@pytest.mark.parametrize("name,method", [c for c in CASES if c[0] not in TEAM_PAGES])
def test_another_teams_token_answers_404(name, method, existing, other_team, client_for):
    browser = client_for(other_team, Role.OWNER)
    url = _url(name, existing)
    data = VAULT_PAGES[name][method][1]
    response = browser.post(url, data) if method == "POST" else browser.get(url)
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=existing.pk, name="existing").exists()


def test_viewer_list_never_offers_management(team, existing, client_for):
    page = client_for(team, Role.VIEWER).get(reverse("vault:token_list")).content.decode()
    assert "existing" in page and "••••alue" in page
    for name in ("vault:token_add", "vault:token_replace", "vault:token_delete", "vault:token_check"):
        assert _url(name, existing) not in page


def test_check_answers_405_to_get(team, existing, client_for):
    assert client_for(team, Role.OWNER).get(_url("vault:token_check", existing)).status_code == 405
