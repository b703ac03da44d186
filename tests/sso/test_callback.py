"""The callback refuses what it must, against the real test provider: a bad or reused state, a
token for another audience, an expired token, a wrong nonce, a foreign signature. Every refusal
is an audit event and a message on the sign-in page; nobody is signed in."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from panel.audit.models import AuditEvent
from panel.sso.oidc import ProviderBackend
from tests.sso.provider import CLIENT_ID, KID, TestProvider

CALLBACK = "/accounts/oidc/callback/"
pytestmark = pytest.mark.slow  # starts the Node provider


def _start(browser: Client) -> tuple[str, str]:
    """Start a sign-in; the state and nonce the panel sent to the provider."""
    response = browser.get("/accounts/oidc/start/?provider=test&next=/team/")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]  # PKCE
    return query["state"][0], query["nonce"][0]


def _refusal(browser: Client, response) -> str:
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    page = browser.get(response["Location"]).content.decode()
    assert "_auth_user_id" not in browser.session
    return page


def _last_sign_in_event() -> AuditEvent:
    return AuditEvent.objects.filter(operation_id="accounts.sign_in").latest("pk")


def _claims(idp: TestProvider, nonce: str, **changes) -> dict:
    now = int(time.time())
    claims = {"iss": idp.issuer, "sub": "ann", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
              "nonce": nonce, "email": "ann@example.com", "email_verified": True}
    return {**claims, **changes}


def _callback_with_token(browser: Client, monkeypatch, state: str, id_token: str):
    """The provider's token answer replaced by `id_token`; its checks (JWKS from the provider) are real."""
    monkeypatch.setattr(ProviderBackend, "get_token", lambda self, payload: {
        "id_token": id_token, "access_token": "not-used"})
    return browser.get(CALLBACK, {"code": "any", "state": state})


@pytest.mark.django_db
def test_a_forged_state_is_refused(idp) -> None:
    browser = Client()
    _start(browser)
    page = _refusal(browser, browser.get(CALLBACK, {"code": "x", "state": "forged-state"}))
    assert "not valid any more" in page
    event = _last_sign_in_event()
    assert (event.outcome, event.reason) == ("failed", "Unknown, used or forged state.")


@pytest.mark.django_db
def test_a_state_works_once(idp) -> None:
    browser = Client()
    state, _ = _start(browser)
    # A code the provider never issued: the real token endpoint refuses it, and the state is spent.
    page = _refusal(browser, browser.get(CALLBACK, {"code": "not-a-code", "state": state}))
    assert "Test IdP did not complete the sign-in" in page
    assert _last_sign_in_event().params == {"method": "oidc", "provider": "test"}
    page = _refusal(browser, browser.get(CALLBACK, {"code": "not-a-code", "state": state}))
    assert "not valid any more" in page


@pytest.mark.django_db
def test_a_token_for_another_audience_is_refused(idp, monkeypatch) -> None:
    browser = Client()
    state, nonce = _start(browser)
    token = idp.sign(_claims(idp, nonce, aud="another-client"))
    page = _refusal(browser, _callback_with_token(browser, monkeypatch, state, token))
    assert "meant for another client" in page
    assert _last_sign_in_event().outcome == "denied"


@pytest.mark.django_db
def test_an_expired_token_is_refused(idp, monkeypatch) -> None:
    browser = Client()
    state, nonce = _start(browser)
    now = int(time.time())
    token = idp.sign(_claims(idp, nonce, iat=now - 7200, exp=now - 3600))
    page = _refusal(browser, _callback_with_token(browser, monkeypatch, state, token))
    assert "has expired" in page
    assert "expired" in _last_sign_in_event().reason


@pytest.mark.django_db
def test_a_token_from_another_issuer_or_key_or_nonce_or_no_jwt_is_refused(idp, monkeypatch) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    import jwt

    cases = {
        "was not issued by": lambda nonce: idp.sign(_claims(idp, nonce, iss="https://evil.example")),
        "could not be verified": lambda nonce: jwt.encode(_claims(idp, nonce), other_key, algorithm="RS256",
                                                          headers={"kid": KID}),
        "could not be verified. Start again": lambda nonce: idp.sign(_claims(idp, "another-nonce")),
        "no matching key": lambda nonce: "not-a-jwt",
        "no matching key)": lambda nonce: jwt.encode(_claims(idp, nonce), idp.private_key, algorithm="RS256"),
    }
    for expected, make in cases.items():
        browser = Client()
        state, nonce = _start(browser)
        page = _refusal(browser, _callback_with_token(browser, monkeypatch, state, make(nonce)))
        assert expected in page, expected


@pytest.mark.django_db
def test_an_unknown_provider_or_one_that_does_not_answer_sends_back_with_a_reason(idp, settings, free_port):
    browser = Client()
    page = _refusal(browser, browser.get("/accounts/oidc/start/?provider=nope"))
    assert "not configured here" in page
    from panel.sso.config import load_providers

    env = {**idp.env(), "OIDC_TEST_ISSUER": f"http://127.0.0.1:{free_port}"}
    settings.OIDC_PROVIDERS = load_providers(env, ["test"])
    page = _refusal(browser, browser.get("/accounts/oidc/start/?provider=test"))
    assert "Test IdP does not answer" in page
