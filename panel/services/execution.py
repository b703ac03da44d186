"""The one executor behind every VPSBG service: authorize, choose the token, call, map, audit.

Each per-operation service (`panel/services/<area>.py`) is a thin typed function that calls
`execute(call(ServersArea.reinstall, id, image_id=...), actor=..., ...)`: a typed call to one
client method (`vpsbg_api.calls`), whose operationId the executor reads for everything below.
The work is split in three phases so the aggregates can run the HTTP part of many calls in
parallel threads while every database touch stays on the calling thread:

1. `prepare()` (caller's thread, database): authorize the actor against the role table and the
   server scope, pick the account and the token, look the read up in the cache, build the client;
2. `perform()` (any thread, no database): the HTTP call through `vpsbg_api`;
3. `finish()` (caller's thread, database): map upstream errors to panel errors (flagging a
   revoked or read-only token on the vault), fill or drop the cache, stamp the token's last use,
   and write the audit event (every write: ok / failed / denied; sensitive reads too).

Audit events are written after the upstream call, in a short transaction of their own: the
recorder holds the chain-head lock until the transaction ends, and a slow VPSBG call must not
hold it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import transaction

import vpsbg_api
from panel.accounts.models import Team
from panel.accounts.permissions import (
    LIMITED_MAY_WRITE,
    SAFE_POSTS,
    UPSTREAM_OPERATIONS,
    ActionDenied,
    action_label,
    require,
)
from panel.audit import recorder as audit
from panel.core import metrics
from panel.core.errors import (
    Busy,
    InvalidInput,
    NotAllowed,
    NotFoundError,
    PanelError,
    RateLimitedError,
    UpstreamUnavailable,
)
from panel.vault.crypto import SecretUndecryptable
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from vpsbg_api.areas._base import UNSET
from vpsbg_api.calls import PendingCall

from . import budget, cache, upstream
from .context import Actor, ActorLike, Ref, ServerRef, as_actor
from .tokens import NoUsableToken, check_token, mark_read_only, record_token_use, select_token

__all__ = [
    "AUDITED_READS",
    "NEVER_CACHED",
    "Call",
    "Outcome",
    "clear_client_pool",
    "execute",
    "finish",
    "is_preauthorised",
    "is_write",
    "needs_read_write",
    "perform",
    "preauthorised",
    "prepare",
    "retry_policy",
    "team_accounts",
]

logger = logging.getLogger(__name__)

R = TypeVar("R")

# Hostnames of the servers seen in recent answers, per VPSBG account (account id -> server id ->
# hostname), so an audit event names its server the way people know it, without asking VPSBG again.
# The process serves every team: a team is told only the hostnames of the accounts it holds a
# token for (`known_hostname`), never those another team's reads taught the process. Learnt from
# fresh answers only (a cached one was learnt when it came); emptied when it grows past the bound.
# A process that never read the server records its reference alone.
_HOSTNAMES: dict[str, dict[str, str]] = {}
_HOSTNAMES_KEPT = 20_000


def _learn_hostnames(value: Any, account_id: str) -> None:
    if isinstance(value, list) and value and isinstance(value[0], vpsbg_api.Page):
        items = [item for page in value for item in page.items]
    else:
        items = value.items if isinstance(value, vpsbg_api.Page) else [value]
    if not items or not isinstance(items[0], vpsbg_api.models.Server):
        return
    if sum(len(names) for names in list(_HOSTNAMES.values())) > _HOSTNAMES_KEPT:
        _HOSTNAMES.clear()  # a dict's single operations are atomic under the GIL: no lock needed
    learnt = {str(item.id): item.hostname for item in items if item.hostname}
    _HOSTNAMES[account_id] = {**_HOSTNAMES.get(account_id, {}), **learnt}


def known_hostname(ref: ServerRef, team: Team) -> str:
    """The hostname last seen for `ref`, when `team` holds its account ("" otherwise or never seen)."""
    names = _HOSTNAMES.get(ref.account_id)
    if not names or ref.id not in names or ref.account_id not in team_accounts(team):
        return ""
    return names[ref.id]

# The page of the long operation on whose behalf calls are made (set by panel.operations.runner),
# so each audit event links to it.
OPERATION_URL: ContextVar[str] = ContextVar("operation_url", default="")
# True while reads must come from VPSBG itself, never from the read cache (the steps of long
# operations and their poller decide from what VPSBG says now); their answers are still cached
# for the pages.
FRESH_READS: ContextVar[bool] = ContextVar("fresh_reads", default=False)

# The action `panel.actions.pipeline` authorised for the call running now: its role is not asked
# again (the role is checked once per execution). The server scope is still checked below.
_PREAUTHORISED: ContextVar[str] = ContextVar("preauthorised", default="")


@contextmanager
def preauthorised(operation_id: str) -> Iterator[None]:
    """Within this block, `operation_id` was authorised by the actions pipeline."""
    token = _PREAUTHORISED.set(operation_id)
    try:
        yield
    finally:
        _PREAUTHORISED.reset(token)


def is_preauthorised(operation_id: str) -> bool:
    return _PREAUTHORISED.get() == operation_id


# Reads that reveal a secret or a document: audited, never cached.
AUDITED_READS: frozenset[str] = frozenset(
    {
        "user_2fa_get_secret",
        "invoices_download",
        "invoices_download_many",
        "support_tickets_attachment_download",
    }
)
# Reads whose answer must be fresh (progress polling) or is a price quote.
NEVER_CACHED: frozenset[str] = AUDITED_READS | SAFE_POSTS | {"servers_status"}

# One quick retry of a GET at most, never a long sleep (the operations runner retries steps
# itself); for pages `budget.page_policy()` also stops it once their time is spent.
RETRY = vpsbg_api.RetryPolicy(max_attempts=2, base=0.2, cap=1.0, ceiling=2.0)


def retry_policy() -> vpsbg_api.RetryPolicy:
    """The client retry policy of the services (module-level so tests can replace it)."""
    return RETRY


def _method(operation_id: str) -> str:
    return vpsbg_api.ROUTES[operation_id].method


def needs_read_write(operation_id: str) -> bool:
    """VPSBG refuses every non-GET to a read-only token, price calculations and downloads included."""
    return _method(operation_id) != "GET"


def is_write(operation_id: str) -> bool:
    """Changes something at VPSBG (so it is audited and drops cached reads)."""
    return (
        needs_read_write(operation_id)
        and operation_id not in SAFE_POSTS
        and operation_id not in AUDITED_READS
    )


def _summary(operation_id: str) -> str:
    op = UPSTREAM_OPERATIONS.get(operation_id)
    return op.summary if op else operation_id


# -- accounts and tokens -------------------------------------------------------------------------
def team_accounts(team: Team) -> dict[str, str]:
    """The VPSBG accounts the team holds tokens for: account id -> label (any token status)."""
    rows = (
        ApiToken.objects.filter(team=team)
        .exclude(account_id="")
        .order_by("pk")
        .values_list("account_id", "account_label")
    )
    accounts: dict[str, str] = {}
    for account_id, label in rows:
        accounts.setdefault(account_id, label or account_id)
    return accounts


def _resolve_account(team: Team, account: str | None) -> tuple[str, str]:
    accounts = team_accounts(team)
    if account is None:
        if len(accounts) == 1:
            return next(iter(accounts.items()))
        if not accounts:
            raise NoUsableToken(
                f"Team {team} has no checked VPSBG token yet. "
                "An owner or admin can add one on the Tokens page."
            )
        raise InvalidInput(
            "This team has several VPSBG accounts: choose one.",
            fields={"account": [f"Choose one of: {', '.join(sorted(accounts.values()))}."]},
        )
    account = str(account).strip()
    if account not in accounts:
        raise NotFoundError(f"This team has no VPSBG account “{account[:120]}”.")
    return account, accounts[account]


def _choose_token(team: Team, account_id: str, label: str, read_write: bool) -> ApiToken:
    """The vault's choice (read-only preferred for reads, read-write for writes), with a clear error."""
    try:
        return select_token(team=team, write=read_write, account_id=account_id)
    except NoUsableToken:
        tokens = ApiToken.objects.filter(team=team, account_id=account_id)
        working = tokens.exclude(status__in=[TokenStatus.REVOKED, TokenStatus.FAILING])
        if read_write and working.filter(scope=TokenScope.READ_ONLY).exists():
            raise NoUsableToken(
                f"This team has no read-write VPSBG token for account {label}, only read-only ones; "
                "an owner or admin can add a read-write one on the Tokens page."
            ) from None
        raise NoUsableToken(
            f"This team has no working VPSBG token for account {label} (its tokens are revoked or "
            "failing); an owner or admin can replace them on the Tokens page."
        ) from None


_clients: OrderedDict[tuple[Any, ...], vpsbg_api.Client] = OrderedDict()
_clients_lock = threading.Lock()
CLIENT_POOL_SIZE = 64


def clear_client_pool() -> None:
    """Close and forget every pooled client (tests; a changed `VPSBG_API_URL`)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def make_client(token: ApiToken, *, page: bool = False) -> vpsbg_api.Client:
    """A client for `token` (no database access: safe to build here and use in a worker thread).

    `page`: the call is a read for a page a person waits on, so the client has the page's short
    timeout and budgeted retries (`budget`). Clients are pooled per (token, secret, URL,
    timeout, retry policy) so their keep-alive connections are reused; a rotated secret or a
    changed setting gets a fresh client. The pooled client is never closed by a caller.
    """
    try:
        secret = token.reveal_secret()
    except SecretUndecryptable:
        raise NoUsableToken(
            f"The VPSBG token “{token.name}” cannot be decrypted with the configured keys; "
            "replace its secret on the Tokens page."
        ) from None
    policy = budget.page_policy(retry_policy()) if page else retry_policy()
    timeout = budget.page_timeout() if page else settings.VPSBG_API_TIMEOUT
    key = (token.pk, hashlib.sha256(secret.encode()).hexdigest(), settings.VPSBG_API_URL, timeout, id(policy))
    with _clients_lock:
        client = _clients.get(key)
        if client is not None:
            _clients.move_to_end(key)
            return client
    client = vpsbg_api.Client(
        secret,
        base_url=settings.VPSBG_API_URL,
        timeout=timeout,
        retry=policy,
        pool_maxsize=32,
        hook=metrics.vpsbg_call_hook(token.scope),
    )
    with _clients_lock:
        _clients[key] = client
        while len(_clients) > CLIENT_POOL_SIZE:
            _clients.popitem(last=False)[1].close()
    return client


# -- the call ------------------------------------------------------------------------------------
class Outcome:
    """What `perform()` produced: a result, or the exception to map."""

    __slots__ = ("error", "value")

    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value = value
        self.error = error


@dataclass
class Call:
    """One prepared service call (see the module docstring for the three phases)."""

    operation_id: str
    request: PendingCall[Any] = field(repr=False)
    actor: Actor
    account_id: str
    account_label: str
    kwargs: dict[str, Any]
    target: Ref | None
    target_type: str
    audit_params: dict[str, Any]
    reason: str
    resource: str | None
    token: ApiToken | None = None
    client: vpsbg_api.Client | None = field(default=None, repr=False)
    cache_key: str | None = None
    cached: Any = cache.MISS
    postprocess: Callable[[Any, str], Any] | None = field(default=None, repr=False)
    runner: Callable[..., Any] | None = field(default=None, repr=False)

    @property
    def write(self) -> bool:
        return is_write(self.operation_id)

    @property
    def audited(self) -> bool:
        return self.write or self.operation_id in AUDITED_READS

    @property
    def target_text(self) -> str:
        if isinstance(self.target, ServerRef):
            return known_hostname(self.target, self.actor.team) or str(self.target)
        return str(self.target) if self.target is not None else self.account_label


def _audit(
    call: Call, outcome: str, *, reason: str = "", upstream: vpsbg_api.VpsbgError | None = None
) -> None:
    if not call.audited:
        return
    actor = call.actor
    why = " — ".join(part for part in (call.reason, reason) if part)
    with transaction.atomic():
        audit.record(
            actor=actor.user,
            api_token_label=actor.api_token_label,
            team=actor.team,
            operation_id=call.operation_id,
            target_type=call.target_type,
            target_id=str(call.target) if call.target is not None else call.account_id,
            target_label=call.target_text,
            token_id=call.token.pk if call.token is not None else None,
            token_name=call.token.name if call.token is not None else "",
            params=call.audit_params,
            outcome=outcome,
            upstream_status=upstream.status if upstream is not None else None,
            upstream_message=upstream.message if upstream is not None else "",
            request=actor.request,
            reason=why,
            operation_url=OPERATION_URL.get(),
        )


def _deny(call: Call, error: PanelError) -> PanelError:
    _audit(call, audit.Outcome.DENIED, reason=error.message)
    return error


def prepare(
    request: PendingCall[Any],
    *,
    actor: ActorLike,
    account: str | None = None,
    target: Ref | None = None,
    target_type: str = "",
    audit_params: dict[str, Any] | None = None,
    servers: tuple[ServerRef, ...] = (),
    reason: str = "",
    postprocess: Callable[[Any, str], Any] | None = None,
    runner: Callable[..., Any] | None = None,
    resolved: tuple[str, str, ApiToken] | None = None,
) -> Call:
    """Phase 1: authorize, resolve the account and token, look up the cache; raise PanelError.

    `request` is the typed client call (`vpsbg_api.call(ServersArea.reinstall, ...)`): its
    operationId decides the role, the token, the audit and the cache; its arguments are audited
    (unless `audit_params` says what to keep instead) and key the cache.
    `runner(client, request)` runs the request with more around it (the aggregates walk every page);
    `resolved=(account id, label, token)` skips the token lookup when the caller already chose
    (the aggregates load the team's tokens in one query).
    """
    who = as_actor(actor)
    operation_id = request.operation_id
    if operation_id not in vpsbg_api.OPERATIONS:
        raise ValueError(f"unknown VPSBG operation {operation_id!r}")
    kwargs = dict(request.arguments)
    call = Call(
        operation_id=operation_id,
        request=request,
        actor=who,
        account_id=target.account_id if target is not None else (account or ""),
        account_label="",
        kwargs=kwargs,
        target=target,
        target_type=target_type or ("server" if isinstance(target, ServerRef) else "account"),
        audit_params={
            k: v for k, v in (audit_params if audit_params is not None else kwargs).items() if v is not UNSET
        },
        reason=(reason or who.reason or "").strip()[:1000],
        resource=None,
        postprocess=postprocess,
        runner=runner,
    )
    if target is not None:
        call.resource = f"{call.target_type}:{target.id}"
    elif not call.account_id and servers:
        call.account_id = servers[0].account_id
    # 1. the role table
    try:
        if not is_preauthorised(operation_id):
            require(who.membership, operation_id)
    except ActionDenied as exc:
        raise _deny(call, NotAllowed(str(exc))) from None
    # ... and the member's server scope: out of scope looks exactly like missing (404, never 403)
    named = [s for s in ((target,) if isinstance(target, ServerRef) else ()) + tuple(servers)]
    for server in named:
        if not who.may_see_server(server.account_id, server.id):
            raise _deny(call, NotFoundError(f"No such server: {server}."))
    # (the account's secrets and money were refused to them with the role table, `require`)
    if who.is_server_limited and call.write and not named and operation_id not in LIMITED_MAY_WRITE:
        # A snapshot, an IP, an order... may belong to a server outside the member's scope.
        raise _deny(
            call,
            NotAllowed(
                f"Your access to team {who.team} is limited to chosen servers, so you may not "
                f"{action_label(operation_id)}: it is not about one of your servers. "
                "Ask an owner or admin."
            ),
        )
    # 2. the account and its token
    try:
        if resolved is not None:
            account_id, label, call.token = resolved
            call.account_id, call.account_label = account_id, label
        else:
            account_id, label = _resolve_account(who.team, call.account_id or None)
            call.account_id, call.account_label = account_id, label
            call.token = _choose_token(who.team, account_id, label, needs_read_write(operation_id))
        for server in servers:
            if server.account_id != account_id:
                raise InvalidInput("All the servers of one request must belong to the same VPSBG account.")
    except PanelError as exc:
        if call.audited:
            _audit(
                call,
                audit.Outcome.DENIED if isinstance(exc, NotFoundError) else audit.Outcome.FAILED,
                reason=exc.message,
            )
        raise
    # 3. the cache (reads only), then the client for a miss
    if not call.write and operation_id not in NEVER_CACHED and cache.ttl() > 0:
        name = operation_id if runner is None else f"{operation_id}/{getattr(runner, '__name__', 'runner')}"
        reader = call.token.secret_fingerprint or f"token:{call.token.pk}"  # verified, never a label
        call.cache_key = cache.key_for(account_id, name, kwargs, call.resource, reader=reader)
        call.cached = cache.MISS if FRESH_READS.get() else cache.get(call.cache_key)
        if call.cached is not cache.MISS:
            return call
    page = budget.applies(who.request, plain_read=not call.audited)
    try:
        if page and who.request is not None:
            budget.check(who.request)
        call.client = make_client(call.token, page=page)
    except PanelError as exc:
        _audit(call, audit.Outcome.FAILED, reason=exc.message)
        raise
    return call


def perform(call: Call) -> Outcome:
    """Phase 2: the HTTP call (thread-safe: touches no database). Never raises."""
    if call.cached is not cache.MISS:
        return Outcome(call.cached)
    assert call.client is not None
    try:
        if call.runner is not None:
            return Outcome(call.runner(call.client, call.request))
        return Outcome(call.request(call.client))
    except BaseException as exc:  # handed to finish() on the caller's thread
        return Outcome(error=exc)


def _retry_seconds(value: float | None) -> int:
    return max(1, math.ceil(value)) if value is not None else 60


def map_error(call: Call, exc: vpsbg_api.VpsbgError) -> PanelError:
    """The panel error a person can act on, for one upstream failure (changes nothing).

    A 404 is first told apart from a wrong `VPSBG_API_URL` (`upstream`, one cached probe).
    """
    what = f"{call.target_type} {call.target}" if call.target is not None else f"account {call.account_label}"
    token = call.token.name if call.token is not None else "?"
    if isinstance(exc, vpsbg_api.AuthenticationError):
        return NotAllowed(
            f"VPSBG rejected the token “{token}” (401): it was revoked or deleted. It is flagged on the "
            "Tokens page; an owner or admin must replace it.",
            code="token_revoked",
            status=502,
        )
    if isinstance(exc, vpsbg_api.PermissionDenied):
        if needs_read_write(call.operation_id):
            return NotAllowed(
                f"VPSBG refused this change: the token “{token}” is read-only at VPSBG. It is now marked "
                "read-only; an owner or admin can add a read-write token on the Tokens page.",
                code="token_read_only",
            )
        return NotAllowed(f"VPSBG refused the token “{token}” access to {what}.", code="upstream_forbidden")
    if isinstance(exc, vpsbg_api.NotFound):
        if upstream.api_url_problem():
            return upstream.misconfigured()
        return NotFoundError(f"VPSBG has no {what} (it may have been deleted).")
    if isinstance(exc, vpsbg_api.ValidationError):
        return InvalidInput(exc.message or "VPSBG refused the input.", fields=exc.fields)
    if isinstance(exc, vpsbg_api.Locked):
        said = f" (VPSBG: “{exc.message.strip()}”)" if exc.message and exc.message.strip() else ""
        return Busy(f"VPSBG is still busy with {what}{said}. Try again when its task ends.")
    if isinstance(exc, vpsbg_api.RateLimited):
        seconds = _retry_seconds(exc.retry_after)
        return RateLimitedError(f"VPSBG rate limit, retry in {seconds} s.", retry_after=seconds)
    if isinstance(exc, vpsbg_api.UpstreamUnavailable):
        return UpstreamUnavailable("VPSBG unavailable (no answer); try again in a few minutes.")
    status = exc.status or 0
    if status >= 500 or status == 0:
        return UpstreamUnavailable(f"VPSBG unavailable (HTTP {status}); try again in a few minutes.")
    if status < 300:
        return PanelError(
            f"VPSBG answered {_summary(call.operation_id)} in a form the panel cannot read; try again later.",
            code="upstream_bad_answer",
            status=502,
        )
    return PanelError(
        f"VPSBG refused “{_summary(call.operation_id)}” (HTTP {status}): {exc.message}",
        code="upstream_refused",
        status=409 if status == 409 else 400,
    )


def _consequences(call: Call, exc: vpsbg_api.VpsbgError) -> None:
    """What an upstream failure says about the token: revoked (401) or read-only (403 on a write)."""
    token = call.token
    if token is None:
        return
    try:
        if isinstance(exc, vpsbg_api.AuthenticationError):
            # The vault re-checks before flagging: a one-off 401 does not kill a working token.
            check_token(token.pk)
        elif isinstance(exc, vpsbg_api.PermissionDenied) and needs_read_write(call.operation_id):
            if token.scope != TokenScope.READ_ONLY:
                mark_read_only(token, f"VPSBG refused {call.operation_id} with 403: the token is read-only.")
    except Exception:  # flagging must never hide the user's error
        logger.exception("services.token_flag_failed", extra={"token_id": token.pk})


def finish(call: Call, outcome: Outcome) -> Any:
    """Phase 3: map errors, cache, stamp the token, audit; return the result or raise PanelError."""
    if call.cached is not cache.MISS:
        return call.postprocess(call.cached, call.account_id) if call.postprocess else call.cached
    error = outcome.error
    if error is None:
        _learn_hostnames(outcome.value, call.account_id)
        if call.token is not None:
            record_token_use(call.token)
        if call.write:
            cache.bump(call.account_id, call.resource)
        elif call.cache_key is not None:
            cache.set(call.cache_key, outcome.value)
        _audit(call, audit.Outcome.OK)
        return call.postprocess(outcome.value, call.account_id) if call.postprocess else outcome.value
    if isinstance(error, vpsbg_api.VpsbgError):
        panel_error = map_error(call, error)
        _consequences(call, error)
        if call.write:  # the write may have happened partly: never trust cached reads after it
            cache.bump(call.account_id, call.resource)
        _audit(call, audit.Outcome.FAILED, reason=panel_error.message, upstream=error)
        raise panel_error from None
    if isinstance(error, ValueError | TypeError):
        # The client refused the arguments before sending anything (a bad value from a form).
        panel_error = InvalidInput(f"Invalid request for “{_summary(call.operation_id)}”: {error}")
        _audit(call, audit.Outcome.FAILED, reason=panel_error.message)
        raise panel_error from None
    _audit(call, audit.Outcome.FAILED, reason=f"unexpected error: {type(error).__name__}")
    raise error


def execute(
    request: PendingCall[R],
    *,
    actor: ActorLike,
    account: str | None = None,
    target: Ref | None = None,
    target_type: str = "",
    audit_params: dict[str, Any] | None = None,
    servers: tuple[ServerRef, ...] = (),
    reason: str = "",
    postprocess: Callable[[Any, str], Any] | None = None,
) -> R:
    """Run one typed client call through the three phases (see `prepare` for the options).

    The result is the client method's (a `postprocess` must keep its type: it filters a page).
    """
    call = prepare(
        request,
        actor=actor,
        account=account,
        target=target,
        target_type=target_type,
        audit_params=audit_params,
        servers=servers,
        reason=reason,
        postprocess=postprocess,
    )
    return cast(R, finish(call, perform(call)))
