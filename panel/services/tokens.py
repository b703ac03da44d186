"""The token vault's services: check a token against VPSBG, add, replace, delete, periodic check.

Only this layer sees a token's plaintext (`ApiToken.reveal_secret()`) and only this layer talks
to VPSBG (`vpsbg_api`). Web views, the demo seed and Celery tasks are thin adapters over these
functions, so the rules (permission, check on save, same account on rotation) live here once.

Secrets never travel further than the `vpsbg_api.Client` built here: they are not logged, not
put in error messages (upstream messages are scrubbed of the secret before being shown), and
tasks receive token ids only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

import vpsbg_api
from panel.accounts.permissions import ActionDenied, require
from panel.audit import recorder as audit
from panel.core import metrics
from panel.core.errors import PanelError
from panel.vault import crypto
from panel.vault.crypto import SecretUndecryptable
from panel.vault.models import ApiToken, TokenScope, TokenStatus

from . import upstream
from .budget import page_timeout

__all__ = [
    "InvalidSecret",
    "NoUsableToken",
    "TokenAccountMismatch",
    "TokenAlreadyStored",
    "TokenCheckFailed",
    "TokenCheckUnavailable",
    "TokenError",
    "TokenIdentity",
    "TokenNameTaken",
    "TokenRejected",
    "add_token",
    "check_all_tokens",
    "check_token",
    "client_for_token",
    "delete_token",
    "identify_token",
    "mark_read_only",
    "record_token_use",
    "replace_token_secret",
    "select_token",
]

logger = logging.getLogger(__name__)

MAX_SECRET_LENGTH = 4096


# -- errors --------------------------------------------------------------------------------------
class TokenError(PanelError):
    """A token could not be saved or checked; `message` is safe to show (never holds the secret).

    `field` names the form field the message belongs to (None: the whole form).
    """

    status = 422
    code = "token_invalid"
    field: str | None = None


class TokenRejected(TokenError):
    """VPSBG answered 401: the token is unknown, revoked or mistyped."""

    code = "token_rejected"
    field = "secret"


class TokenCheckUnavailable(TokenError):
    """VPSBG could not be reached or asked us to slow down; nothing is wrong with the token itself."""

    status = 503
    code = "upstream_unavailable"


class TokenCheckFailed(TokenError):
    """VPSBG answered with an unexpected error while checking the token."""

    status = 502
    code = "token_check_failed"


class TokenAccountMismatch(TokenError):
    """A replacement secret belongs to a different VPSBG account than the token it replaces."""

    code = "token_account_mismatch"
    field = "secret"


class TokenNameTaken(TokenError):
    code = "token_name_taken"
    field = "name"


class TokenAlreadyStored(TokenError):
    """The team already holds this very secret under another name (found by its fingerprint)."""

    code = "token_already_stored"
    field = "secret"


class InvalidSecret(TokenError):
    code = "token_malformed"
    field = "secret"


# -- checking against VPSBG ----------------------------------------------------------------------
@dataclass(frozen=True)
class TokenIdentity:
    """Which VPSBG account a token opens: a stable id and a label a person recognises."""

    account_id: str
    account_label: str


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    value = getattr(obj, name, None)
    if value is None:
        extra = getattr(obj, "model_extra", None) or {}
        value = extra.get(name)
    return value


def _identity_from_account(account: Any) -> TokenIdentity:
    """The reference's User body has no documented `id`; fall back to the account's email."""
    account_id = _field(account, "id")
    email = (_field(account, "email") or "").strip()
    name = (_field(account, "name") or "").strip()
    company = (_field(account, "company_name") or "").strip()
    if account_id in (None, ""):
        account_id = email.lower()
    if not account_id:
        raise TokenCheckFailed("VPSBG did not say which account this token belongs to.")
    who = company or name
    label = f"{who} ({email})" if who and email else (who or email or str(account_id))
    return TokenIdentity(account_id=str(account_id), account_label=label[:255])


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "[redacted]") if secret else text


# A check answers a person waiting on a form (or runs again at the next beat): one try, no backoff.
CHECK_RETRY = vpsbg_api.RetryPolicy(max_attempts=1)


def _client(secret: str, timeout: float) -> vpsbg_api.Client:
    return vpsbg_api.Client(
        secret,
        base_url=settings.VPSBG_API_URL,
        timeout=timeout,
        retry=CHECK_RETRY,
        hook=metrics.vpsbg_call_hook("check"),
    )


def identify_token(secret: str, *, timeout: float | None = None) -> TokenIdentity:
    """Ask VPSBG which account `secret` opens; map every upstream failure to a `TokenError`.

    `timeout` defaults to `VPSBG_API_TIMEOUT` (the periodic check); a form passes the page's.
    """
    secret = (secret or "").strip()
    if not secret:
        raise InvalidSecret("Enter the token.")
    client = None
    try:
        client = _client(secret, timeout or settings.VPSBG_API_TIMEOUT)
        account = client.user.get()
    except vpsbg_api.NotFound:  # the account endpoint always exists: the URL is wrong, not the token
        raise TokenCheckFailed(upstream.note_misconfigured(), code=upstream.CODE) from None
    except vpsbg_api.AuthenticationError:
        raise TokenRejected(
            "VPSBG rejected this token (unknown or revoked). Copy it again from your VPSBG account."
        ) from None
    except (vpsbg_api.UpstreamUnavailable, vpsbg_api.UpstreamError, vpsbg_api.RateLimited) as exc:
        # Unreachable, timed out, 5xx or 429: nothing is wrong with the token itself. An UpstreamError
        # without a 5xx status is an answer we could not read: reported as a failed check below.
        if isinstance(exc, vpsbg_api.UpstreamUnavailable | vpsbg_api.RateLimited) or (exc.status or 0) >= 500:
            status = f" (HTTP {exc.status})" if exc.status else ""
            raise TokenCheckUnavailable(f"VPSBG unavailable, try again in a moment{status}.") from None
        detail = _scrub(str(exc), secret)[:200]
        raise TokenCheckFailed(f"VPSBG could not check this token: {detail}") from None
    except vpsbg_api.VpsbgError as exc:
        detail = _scrub(str(exc), secret)[:200]
        raise TokenCheckFailed(f"VPSBG could not check this token: {detail}") from None
    except Exception as exc:  # e.g. a transport error the client did not wrap; its text may hold the secret
        raise TokenCheckFailed(f"Could not check this token ({type(exc).__name__}).") from None
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()
    return _identity_from_account(account)


# -- writes --------------------------------------------------------------------------------------
def _clean_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if not secret:
        raise InvalidSecret("Enter the token.")
    if len(secret) > MAX_SECRET_LENGTH or any(c.isspace() for c in secret):
        raise InvalidSecret("This does not look like a VPSBG token (no spaces, at most 4096 characters).")
    return secret


def _refuse_stored_twice(team: Any, secret: str, *, keep: ApiToken | None = None) -> None:
    """Raise `TokenAlreadyStored` when another token of `team` holds `secret`.

    Compares keyed fingerprints (under every `VAULT_FINGERPRINT_KEYS` key), never plaintexts.
    Call it again inside the saving transaction after `_lock_team`, so two concurrent saves of one
    secret cannot both pass.
    """
    others = ApiToken.objects.filter(team=team, secret_fingerprint__in=crypto.fingerprints(secret))
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    existing = others.order_by("pk").first()
    if existing is not None:
        raise TokenAlreadyStored(
            f"This team already holds this token as “{existing.name}”. Use that one, or replace its "
            "secret there."
        )


def _lock_team(team: Any) -> None:
    """Serialize token writes of one team (the duplicate check, then the save)."""
    type(team).objects.select_for_update().filter(pk=team.pk).exists()


def _actor_name(actor: Any) -> str:
    user = actor.user
    return (getattr(user, "display_name", None) or str(user))[:255]


def _audit(
    operation_id: str,
    *,
    actor: Any,
    team: Any,
    outcome: str,
    token: ApiToken | None = None,
    token_name: str = "",
    params: dict[str, Any] | None = None,
    reason: str = "",
    upstream_status: int | None = None,
) -> None:
    """One audit event per token write (never the secret: names, ids, scope, account, outcome)."""
    audit.record(
        actor=getattr(actor, "user", None),
        team=team,
        operation_id=operation_id,
        target_type="vpsbg_token",
        target_id=token.pk if token is not None and token.pk else "",
        target_label=token.name if token is not None else token_name,
        token_id=token.pk if token is not None and token.pk else None,
        token_name=token.name if token is not None else token_name,
        params=params,
        outcome=outcome,
        reason=reason,
        upstream_status=upstream_status,
    )


def _authorize(actor: Any, operation_id: str, token_name: str, token: ApiToken | None = None) -> None:
    """`tokens.manage` or an audited denial (the denial is recorded, then raised)."""
    try:
        require(actor, "tokens.manage")
    except ActionDenied as exc:
        _audit(
            operation_id,
            actor=actor,
            team=getattr(actor, "team", None),
            outcome=audit.Outcome.DENIED,
            token=token,
            token_name=token_name,
            reason=str(exc),
        )
        raise


def add_token(*, actor: Any, name: str, scope: str, secret: str, check: bool = True) -> ApiToken:
    """Save a new token for the actor's team, after VPSBG confirms it (unless `check=False`).

    Nothing is saved when the check fails. `check=False` (demo seed without a reachable
    upstream) stores the token as "unchecked"; the periodic check verifies it later.
    """
    name = (name or "").strip()
    _authorize(actor, "tokens.add", name)
    team = actor.team
    if not name:
        raise TokenNameTaken("Give the token a name.")
    if scope not in TokenScope.values:
        raise TokenError("Choose read-only or read-write.")
    secret = _clean_secret(secret)
    if ApiToken.objects.filter(team=team, name__iexact=name).exists():
        raise TokenNameTaken(f"This team already has a token named “{name}”.")
    _refuse_stored_twice(team, secret)

    try:
        identity = identify_token(secret, timeout=page_timeout()) if check else None
    except TokenError as exc:
        _audit(
            "tokens.add",
            actor=actor,
            team=team,
            outcome=audit.Outcome.FAILED,
            token_name=name,
            params={"name": name, "scope": scope},
            reason=exc.message,
        )
        raise
    token = ApiToken(
        team=team,
        name=name,
        scope=scope,
        created_by=actor.user,
        created_by_name=_actor_name(actor),
    )
    token.set_secret(secret)
    if identity is not None:
        token.account_id = identity.account_id
        token.account_label = identity.account_label
        token.status = TokenStatus.OK
        token.checked_at = timezone.now()
    try:
        with transaction.atomic():
            _lock_team(team)
            _refuse_stored_twice(team, secret)
            token.save()
            _audit(
                "tokens.add",
                actor=actor,
                team=team,
                outcome=audit.Outcome.OK,
                token=token,
                params={"name": name, "scope": scope, "account": token.account_label, "checked": check},
            )
    except IntegrityError:
        raise TokenNameTaken(f"This team already has a token named “{name}”.") from None
    logger.info(
        "vault.token_added",
        extra={"token_id": token.pk, "team_id": team.pk, "actor_id": actor.user_id, "checked": check},
    )
    return token


def _ensure_same_team(actor: Any, token: ApiToken) -> None:
    if token.team_id != actor.team_id:
        # Callers load tokens through the actor's team already; this is the last line of defence.
        raise ApiToken.DoesNotExist("No such token in this team.")


def replace_token_secret(*, actor: Any, token: ApiToken, secret: str) -> ApiToken:
    """Rotate the secret of a token, keeping its id and history.

    The new secret is checked first and must open the same VPSBG account as the old one (a
    token renamed "production" quietly pointing at another account would be a trap).
    """
    _ensure_same_team(actor, token)
    _authorize(actor, "tokens.replace_secret", token.name, token)
    secret = _clean_secret(secret)
    try:
        _refuse_stored_twice(token.team, secret, keep=token)
        identity = identify_token(secret, timeout=page_timeout())
        if token.account_id and identity.account_id != token.account_id:
            raise TokenAccountMismatch(
                f"This token belongs to another VPSBG account ({identity.account_label}); "
                f"“{token.name}” is for {token.account_label or token.account_id}. "
                "Add it as a new token instead."
            )
    except TokenError as exc:
        _audit(
            "tokens.replace_secret",
            actor=actor,
            team=token.team,
            outcome=audit.Outcome.FAILED,
            token=token,
            reason=exc.message,
        )
        raise
    now = timezone.now()
    token.set_secret(secret)
    token.account_id = identity.account_id
    token.account_label = identity.account_label
    token.status = TokenStatus.OK
    token.status_message = ""
    token.checked_at = now
    token.rotated_at = now
    token.rotation_count += 1
    with transaction.atomic():
        _lock_team(token.team)
        _refuse_stored_twice(token.team, secret, keep=token)
        token.save()
        _audit(
            "tokens.replace_secret",
            actor=actor,
            team=token.team,
            outcome=audit.Outcome.OK,
            token=token,
            params={"last4": token.last4, "rotation": token.rotation_count},
        )
    logger.info(
        "vault.token_secret_replaced",
        extra={"token_id": token.pk, "team_id": token.team_id, "actor_id": actor.user_id},
    )
    return token


def delete_token(*, actor: Any, token: ApiToken, confirm_name: str) -> None:
    """Delete a token once the actor typed its exact name."""
    _ensure_same_team(actor, token)
    _authorize(actor, "tokens.delete", token.name, token)
    if (confirm_name or "").strip() != token.name:
        raise TokenError("Type the token's name exactly to confirm.")
    token_id, team_id = token.pk, token.team_id
    with transaction.atomic():
        # Recorded before the row goes: the event keeps the token's id and name as text.
        _audit(
            "tokens.delete",
            actor=actor,
            team=token.team,
            outcome=audit.Outcome.OK,
            token=token,
            params={"account": token.account_label, "scope": token.scope},
        )
        token.delete()
    logger.info(
        "vault.token_deleted", extra={"token_id": token_id, "team_id": team_id, "actor_id": actor.user_id}
    )


def mark_read_only(token: ApiToken, reason: str) -> None:
    """VPSBG refused a write with 403: the token is read-only, whatever was declared."""
    message = (reason or "VPSBG refused a write (403).")[:500]
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(scope=TokenScope.READ_ONLY, status_message=message)
        _audit(
            "tokens.mark_read_only",
            actor=None,
            team=token.team,
            outcome=audit.Outcome.OK,
            token=token,
            reason=message,
            upstream_status=403,
        )
    token.scope = TokenScope.READ_ONLY
    token.status_message = message
    logger.warning("vault.token_marked_read_only", extra={"token_id": token.pk, "team_id": token.team_id})


TOKEN_USE_PRECISION = 60  # seconds: "last used" is stamped at most this often per token


def record_token_use(token: ApiToken) -> None:
    """Stamp the last-used time (one UPDATE, no race with a concurrent rotation); not again within a
    minute of the stamp the row carried when it was read, so a busy token (a hundred operations'
    calls a minute) does not cost an UPDATE per call."""
    now = timezone.now()
    if token.last_used_at is not None and (now - token.last_used_at).total_seconds() < TOKEN_USE_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# -- using a token (for the other services) -----------------------------------------------------
class NoUsableToken(TokenError):
    """The team has no working token for what is asked (none, all revoked/failing, or read-only)."""

    status = 409
    code = "no_usable_token"


def select_token(*, team: Any, write: bool, account_id: str | None = None) -> ApiToken:
    """The token a service should use for `team` (and one VPSBG account, when given).

    Reads prefer a read-only token (least privilege), writes need a read-write one; revoked and
    failing tokens are skipped. Raises `NoUsableToken` with a message saying what to fix.
    """
    usable = ApiToken.objects.filter(team=team).exclude(status__in=[TokenStatus.REVOKED, TokenStatus.FAILING])
    if account_id is not None:
        usable = usable.filter(account_id=account_id)
    if write:
        usable = usable.filter(scope=TokenScope.READ_WRITE)
        ordered = usable.order_by("status", "pk")  # "ok" before "unchecked"
    else:
        ordered = usable.order_by("scope", "status", "pk")  # "read_only" first, then "ok" first
    token = ordered.first()
    if token is None:
        what = "read-write" if write else "working"
        raise NoUsableToken(
            f"Team {team} has no {what} VPSBG token"
            + (" for this account" if account_id else "")
            + ". An owner or admin can add or replace one on the Tokens page."
        )
    return token


def client_for_token(token: ApiToken) -> vpsbg_api.Client:
    """A VPSBG client authenticated with `token` (the caller closes it); stamps the last-used time."""
    client = vpsbg_api.Client(
        token.reveal_secret(),
        base_url=settings.VPSBG_API_URL,
        timeout=settings.VPSBG_API_TIMEOUT,
        hook=metrics.vpsbg_call_hook(token.scope),
    )
    record_token_use(token)
    return client


# -- periodic check ------------------------------------------------------------------------------
UNDECRYPTABLE = (
    "The stored secret cannot be decrypted with the configured encryption keys. "
    "Replace the secret or restore the old key."
)
REVOKED = "VPSBG rejected this token (401): it was revoked or deleted."


def _set_status(token: ApiToken, status: str, message: str, *, actor: Any = None, **fields: Any) -> str:
    """Store the check's result; a change of status (or a manual check) is an audit event."""
    message = message[:500]
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(
            status=status, status_message=message, checked_at=timezone.now(), **fields
        )
        if actor is not None or status != token.status:
            outcome = audit.Outcome.OK if status == TokenStatus.OK else audit.Outcome.FAILED
            _audit(
                "tokens.check",
                actor=actor,
                team=token.team,
                outcome=outcome,
                token=token,
                params={"status": status, "previous_status": token.status},
                reason=message,
            )
    metrics.token_checked(status)
    return status


def check_token(token_id: int, *, actor: Any = None) -> str | None:
    """Check one token against VPSBG and record ok / revoked / failing; never raises for VPSBG's sake.

    `actor` is the member who asked (the "Check now" button; they need `tokens.manage`); None
    for the periodic check. Returns the new status, None when the token no longer exists, or
    `upstream.CODE` when `VPSBG_API_URL` is wrong (the token is not at fault: its status stays).
    """
    token = ApiToken.objects.select_related("team").filter(pk=token_id).first()
    if token is None:
        return None
    if actor is not None:
        _ensure_same_team(actor, token)
        _authorize(actor, "tokens.check", token.name, token)
    try:
        secret = token.reveal_secret()
    except SecretUndecryptable:
        return _set_status(token, TokenStatus.FAILING, UNDECRYPTABLE, actor=actor)
    try:
        identity = identify_token(secret)
    except TokenRejected:
        return _set_status(token, TokenStatus.REVOKED, REVOKED, actor=actor)
    except TokenError as exc:
        if exc.code == upstream.CODE:  # nothing is known about the token: its status stays
            logger.warning("vault.api_url_misconfigured", extra={"token_id": token_id})
            return upstream.CODE
        return _set_status(token, TokenStatus.FAILING, exc.message, actor=actor)
    except Exception as exc:  # one bad token must never stop the check of the others
        # Only the exception's type: its text could quote a header holding the secret.
        logger.error("vault.token_check_crashed", extra={"token_id": token_id, "error": type(exc).__name__})
        return _set_status(token, TokenStatus.FAILING, f"Check failed: {type(exc).__name__}", actor=actor)
    if token.account_id and identity.account_id != token.account_id:
        moved = f"This token now opens another VPSBG account ({identity.account_label})."
        return _set_status(token, TokenStatus.FAILING, moved, actor=actor)
    return _set_status(
        token,
        TokenStatus.OK,
        "",
        actor=actor,
        account_id=identity.account_id,
        account_label=identity.account_label,
    )


def check_all_tokens() -> dict[str, int]:
    """Check every token of every team; returns how many ended in each status."""
    counts: dict[str, int] = {}
    for token_id in ApiToken.objects.order_by("pk").values_list("pk", flat=True):
        status = check_token(token_id)
        if status is not None:
            counts[status] = counts.get(status, 0) + 1
    logger.info("vault.tokens_checked", extra={"counts": counts})
    return counts
