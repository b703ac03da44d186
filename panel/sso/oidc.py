"""The OpenID Connect code flow, on mozilla-django-oidc, for several providers at once.

Why mozilla-django-oidc (not django-allauth): it is a small set of classes made to be subclassed
(the request view, the callback view, the authentication backend), and it does the security work
we must not hand-write: a random `state` kept server-side and used once, a `nonce` bound into the
ID token, PKCE (S256) since 3.0, the code exchange, and the ID token's signature checked against
the provider's JWKS. allauth would bring a second account system (its own sign-up, email, password
and login pages and models) beside ours (email sign-in, django-axes, TOTP, invitations).

What we add on top, here: the provider comes from the flow (several providers per deployment),
endpoints come from discovery (`providers.discover`), and the ID token is also checked for its
audience (our client id), issuer, expiry and issue time, which the library leaves out.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import providers
from .config import ProviderConfig
from .rules import Identity, SignInRefused, apply_sign_in

CALLBACK_URL_NAME = "sso:callback"
FLOWS_KEY = "sso_flows"  # state -> provider key, beside the library's own `oidc_states`
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"})
LEEWAY_SECONDS = 60  # clock skew tolerated between the provider and us


def _provider_settings(provider: ProviderConfig | None, document: dict[str, Any] | None) -> dict[str, Any]:
    if provider is None or document is None:
        return {}
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": document["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": document["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": document.get("userinfo_endpoint"),
        "OIDC_OP_JWKS_ENDPOINT": document["jwks_uri"],
        "OIDC_RP_CLIENT_ID": provider.client_id,
        "OIDC_RP_CLIENT_SECRET": provider.client_secret,
        "OIDC_RP_SCOPES": provider.scopes,
        "OIDC_RP_SIGN_ALGO": "RS256",  # the library's switch to "fetch the JWKS"; _verify_jws decides
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_TOKEN_USE_BASIC_AUTH": "client_secret_basic" in methods,
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_CREATE_USER": False,
    }


class _PerProvider:
    """The library reads its settings through `get_settings`: answer for the provider of this flow."""

    provider: ProviderConfig | None = None
    document: dict[str, Any] | None = None

    def use(self, provider: ProviderConfig) -> None:
        self.provider = provider
        self.document = providers.discover(provider)

    def get_settings(self, attr: str, *default: Any) -> Any:
        values = _provider_settings(self.provider, self.document)
        if attr in values:
            return values[attr]
        return import_from_settings(attr, *default)


class ProviderBackend(_PerProvider, OIDCAuthenticationBackend):
    """Authenticates the callback of a flow started by `StartView`; `None` for anything else.

    In AUTHENTICATION_BACKENDS, after the password backends; the provider comes from the request
    (`request.sso_provider`, set by `CallbackView`), so a password sign-in never reaches it.
    """

    OIDC_RP_IDP_SIGN_KEY = None  # keys come from the provider's JWKS, never from settings

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # settings are per flow, read in use()
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        provider = getattr(request, "sso_provider", None)
        if request is None or provider is None or "nonce" not in kwargs:
            return None
        self.use(provider)
        for name, value in _provider_settings(self.provider, self.document).items():
            if name.startswith(("OIDC_OP_", "OIDC_RP_")):
                setattr(self, name, value)
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        # The library's get_user ignores is_active: a person disabled in the panel must be out at once.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def retrieve_matching_jwk(self, token: Any) -> Any:
        # The library indexes the header and the JWKS directly: a token without `kid`, or not a JWT
        # at all, would be a 500. It is a refusal.
        try:
            return super().retrieve_matching_jwk(token)
        except (KeyError, TypeError, ValueError, jwt.PyJWTError):
            name = self.provider.name if self.provider else "The provider"
            raise SignInRefused(f"{name}'s sign-in could not be verified (no matching key).") from None

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        assert self.provider is not None and self.document is not None
        try:
            alg = jwt.get_unverified_header(payload).get("alg", "")
            offered = set(self.document.get("id_token_signing_alg_values_supported") or ["RS256"])
            if alg not in ASYMMETRIC & offered:
                raise SignInRefused(f"{self.provider.name} signed with an algorithm we do not accept.")
            return jwt.decode(
                payload, key, algorithms=[alg], audience=self.provider.client_id, issuer=self.provider.issuer,
                leeway=LEEWAY_SECONDS, options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise SignInRefused(f"{self.provider.name}'s sign-in has expired; sign in again.") from None
        except jwt.InvalidAudienceError:
            raise SignInRefused(f"{self.provider.name}'s sign-in was meant for another client.") from None
        except jwt.InvalidIssuerError:
            raise SignInRefused(f"The sign-in was not issued by {self.provider.name}.") from None
        except jwt.PyJWTError as error:
            raise SignInRefused(f"{self.provider.name}'s sign-in could not be verified ({error}).") from None

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The ID token's claims, completed by the userinfo endpoint (same subject only)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            extra = super().get_userinfo(access_token, id_token, payload)
            if not isinstance(extra, dict) or str(extra.get("sub")) != str(payload.get("sub")):
                raise SignInRefused("The provider's user information names another person.")
            claims.update({k: v for k, v in extra.items() if k not in ("amr", "acr", "iss", "aud")})
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        assert self.provider is not None
        claims = self.get_userinfo(access_token, id_token, payload)
        self.request.sso_id_token_claims = payload  # amr/acr for the MFA decision
        return apply_sign_in(Identity.from_claims(self.provider, claims), request=self.request)


def provider_proved_mfa(provider: ProviderConfig, id_token_claims: dict[str, Any]) -> bool:
    """True when the ID token says the person used more than a password (`amr`), or an MFA level (`acr`)."""
    amr = id_token_claims.get("amr") or []
    amr_values = {str(v) for v in (amr if isinstance(amr, list) else [amr])}
    if amr_values & set(provider.mfa_amr):
        return True
    return bool(provider.mfa_acr) and str(id_token_claims.get("acr", "")) in provider.mfa_acr


class StartView(_PerProvider, OIDCAuthenticationRequestView):
    """Redirects to the provider with state, nonce and a PKCE challenge (the library's view)."""

    def __init__(self, **kwargs: Any) -> None:  # the endpoint is known only once the provider is
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def start(self, request: HttpRequest, provider: ProviderConfig) -> Any:
        self.use(provider)
        self.OIDC_OP_AUTH_ENDPOINT = self.document["authorization_endpoint"]  # type: ignore[index]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        response = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query).get("state", [""])[0]
        flows = request.session.get(FLOWS_KEY) or {}
        flows = {k: v for k, v in flows.items() if k in (request.session.get("oidc_states") or {})}
        flows[state] = provider.key
        request.session[FLOWS_KEY] = flows
        return response


def provider_of_flow(request: HttpRequest) -> ProviderConfig | None:
    """The provider a callback's `state` was issued for, or None (unknown, used or forged state)."""
    state = request.GET.get("state", "")
    known = request.session.get("oidc_states") or {}
    if not state or not isinstance(known, dict) or state not in known:
        return None
    key = (request.session.get(FLOWS_KEY) or {}).get(state, "")
    return providers.get(key)


class CallbackView(OIDCAuthenticationCallbackView):
    """The library's callback: consumes the state, exchanges the code (with the PKCE verifier),
    verifies the ID token and its nonce, then `auth.login`. Success and failure are ours (views.py)."""

    def run(self, request: HttpRequest, provider: ProviderConfig) -> Any:
        request.sso_provider = provider  # type: ignore[attr-defined]
        self.request = request
        return super().get(request)

    def login_failure(self) -> Any:
        # The library redirects home in silence; we say why (the provider's error, a disabled account).
        error = self.request.GET.get("error", "")
        if error:
            raise SignInRefused(f"The provider did not sign you in ({error[:64]}).")
        raise SignInRefused("The sign-in did not complete; start again.")
