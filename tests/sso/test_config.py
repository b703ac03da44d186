"""Providers from the environment: a bad block stops the panel with the variable's name."""
from __future__ import annotations

import pytest

from panel.sso.config import ProviderConfigError, load_providers

BASE = {"OIDC_CORP_ISSUER": "https://id.example.com/realms/ops/", "OIDC_CORP_CLIENT_ID": "panel",
        "OIDC_CORP_CLIENT_SECRET": "s3cret"}


def test_a_complete_block_gives_a_provider_with_defaults() -> None:
    corp = load_providers(BASE, ["corp"])["corp"]
    assert (corp.issuer, corp.name, corp.scopes, corp.groups_claim) == (
        "https://id.example.com/realms/ops", "Corp", "openid email profile", "groups")
    assert "s3cret" not in repr(corp)


@pytest.mark.parametrize(("env", "keys", "message"), [
    ({}, ["corp"], "OIDC_CORP_ISSUER is required"),
    ({**BASE, "OIDC_CORP_CLIENT_SECRET": ""}, ["corp"], "OIDC_CORP_CLIENT_SECRET is required"),
    ({**BASE, "OIDC_CORP_ISSUER": "http://id.example.com"}, ["corp"], "https://"),
    ({**BASE, "OIDC_CORP_SCOPES": "email"}, ["corp"], "must include openid"),
    (BASE, ["Corp-1"], "is not a provider key"),
])
def test_a_bad_block_names_the_variable(env, keys, message) -> None:
    with pytest.raises(ProviderConfigError, match=message):
        load_providers(env, keys)


def test_plain_http_is_allowed_on_loopback_only() -> None:
    env = {**BASE, "OIDC_CORP_ISSUER": "http://127.0.0.1:8080/realms/ops"}
    assert load_providers(env, ["corp"])["corp"].issuer.startswith("http://127.0.0.1")
