"""The test identity provider (a real `oidc-provider` under Node) and a panel configured for it."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from panel.sso.config import load_providers
from tests.sso.provider import TestProvider, running_provider

CALLBACK = "/accounts/oidc/callback/"


@pytest.fixture(scope="session")
def idp_server(live_server, tmp_path_factory) -> Iterator[TestProvider]:
    """One provider for the session; it redirects to the live server and to the test client's host."""
    redirect_uris = [f"{live_server.url}{CALLBACK}", f"http://testserver{CALLBACK}"]
    with running_provider(tmp_path_factory.mktemp("idp"), redirect_uris) as provider:
        yield provider


@pytest.fixture
def idp(idp_server: TestProvider, settings) -> TestProvider:
    """The provider, known to the panel as `test` ("Test IdP"), with nobody in it yet."""
    env = idp_server.env()
    settings.OIDC_PROVIDERS = load_providers(env, ["test"])
    idp_server.set_accounts({})
    return idp_server
