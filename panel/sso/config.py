"""Identity providers configured from the environment: `OIDC_PROVIDERS` names them, each has its block.

    OIDC_PROVIDERS=corp
    OIDC_CORP_ISSUER=https://id.example.com/realms/ops
    OIDC_CORP_CLIENT_ID=panel
    OIDC_CORP_CLIENT_SECRET=...

Everything else (endpoints, keys, algorithms) comes from the issuer's discovery document. Read
once, in settings; a provider named in the list with a missing issuer, client id or secret stops
the panel from starting with a message naming the variable, rather than failing at the first sign-in.
No Django import: settings call this before Django is set up.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_SCOPES = "openid email profile"
DEFAULT_MFA_AMR = ("mfa", "otp", "hwk", "sc")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Plain http is for a provider on this machine (the tests' provider, a local Keycloak), never the network.
_LOOPBACK_HTTP = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")


class ProviderConfigError(ValueError):
    """An identity provider's environment block is incomplete or malformed."""


@dataclass(frozen=True)
class ProviderConfig:
    """One identity provider, as the environment describes it (the secret stays in settings only)."""

    key: str
    name: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: str = DEFAULT_SCOPES
    groups_claim: str = "groups"
    # An ID token whose `amr` holds one of these, or whose `acr` is one of `mfa_acr`, proves MFA.
    mfa_amr: tuple[str, ...] = DEFAULT_MFA_AMR
    mfa_acr: tuple[str, ...] = ()


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[\s,]+", text.strip()) if w)


def load_providers(environ: Mapping[str, str], keys: list[str]) -> dict[str, ProviderConfig]:
    """The providers named in `keys`, each read from its `OIDC_<KEY>_*` variables."""
    providers: dict[str, ProviderConfig] = {}
    for raw in keys:
        key = raw.strip().lower()
        if not key:
            continue
        if not _KEY.match(key):
            raise ProviderConfigError(
                f"OIDC_PROVIDERS: {raw!r} is not a provider key (letters, digits, _; a letter first)."
            )
        prefix = f"OIDC_{key.upper()}_"

        def value(name: str, default: str | None = None, prefix: str = prefix) -> str:
            found = environ.get(prefix + name, "").strip()
            if found:
                return found
            if default is None:
                raise ProviderConfigError(f"{prefix}{name} is required for a provider in OIDC_PROVIDERS.")
            return default

        issuer = value("ISSUER").rstrip("/")
        if not (issuer.startswith("https://") or _LOOPBACK_HTTP.match(issuer)):
            raise ProviderConfigError(f"{prefix}ISSUER must be an https:// URL (http only on loopback).")
        if "openid" not in _words(value("SCOPES", DEFAULT_SCOPES)):
            raise ProviderConfigError(f"{prefix}SCOPES must include openid.")
        providers[key] = ProviderConfig(
            key=key,
            name=value("NAME", key.replace("_", " ").title()),
            issuer=issuer,
            client_id=value("CLIENT_ID"),
            client_secret=value("CLIENT_SECRET"),
            scopes=" ".join(_words(value("SCOPES", DEFAULT_SCOPES))),
            groups_claim=value("GROUPS_CLAIM", "groups"),
            mfa_amr=_words(value("MFA_AMR", ",".join(DEFAULT_MFA_AMR))),
            mfa_acr=_words(value("MFA_ACR", "")),
        )
    return providers
