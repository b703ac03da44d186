"""What a team sees across all its VPSBG accounts at once: every server, every balance.

A team may hold tokens for several VPSBG accounts. These aggregates query each account once, in
parallel on a bounded thread pool, so ten accounts take about as long as the slowest one, not the
sum. All database work (authorization, token choice, cache, audit) stays on the calling thread;
the worker threads only talk HTTP (see `execution`). An account that fails shows as a warning
beside the others' results instead of failing the whole page.

Where the time goes (bench/aggregate_list.py, 20 accounts of 50 servers): the upstream latency,
then, since the answers land together, the CPU of every page on one GIL: validating ~80 KB of JSON
into 50 `Server` models (~0.9-1.6 ms) and receiving it through requests (~1.1 ms). So each
account's request leaves as soon as that account is prepared (its preparation overlaps the others'
latency); the pool's threads only talk HTTP and the answers are validated here, on the calling
thread, in order (twenty threads each fetching and validating spent ~30% more CPU than twenty
fetching while one validates); the shared cache stores the JSON that came in (no encoding) and is
written once for all accounts. What is left is mostly the floor: `bench/aggregate_list.py` prints
it.

Server identity across accounts is `(account id, VPSBG server id)`; the tokens are grouped by
account before anything is fetched, so two tokens of one account never show a server twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

import vpsbg_api
from panel.core.errors import PanelError
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from vpsbg_api.areas import BalanceArea, ServersArea
from vpsbg_api.calls import PendingCall
from vpsbg_api.models import Balance, Server
from vpsbg_api.results import Page, UnreadPage

from . import cache, upstream
from .context import ActorLike, ServerRef, as_actor
from .execution import Call, Outcome, finish, perform, prepare
from .tokens import NoUsableToken

__all__ = [
    "AccountBalance",
    "AccountWarning",
    "Aggregate",
    "TeamServer",
    "balances_all",
    "run_together",
    "servers_list_all",
]


@dataclass(frozen=True)
class AccountWarning:
    """One account that could not be read: shown beside the others' results."""

    account_id: str
    account_label: str
    message: str
    code: str


@dataclass(frozen=True)
class TeamServer:
    """A server of one of the team's accounts; `ref` (`"<account>:<id>"`) is its panel identity."""

    ref: ServerRef
    account_label: str
    server: Server

    @property
    def key(self) -> str:
        return str(self.ref)


@dataclass(frozen=True)
class AccountBalance:
    account_id: str
    account_label: str
    balance: Balance


@dataclass
class Aggregate:
    """Items from every account that answered, plus one warning per account that did not.

    A wrong `VPSBG_API_URL` fails every account alike: it is one warning, with no account.
    """

    items: list[Any] = field(default_factory=list)
    warnings: list[AccountWarning] = field(default_factory=list)

    def warn(self, account_id: str, label: str, error: PanelError) -> None:
        if error.code == upstream.CODE:
            if all(w.code != upstream.CODE for w in self.warnings):
                self.warnings.append(AccountWarning("", "", error.message, error.code))
            return
        self.warnings.append(AccountWarning(account_id, label, error.message, error.code))

    @property
    def complete(self) -> bool:
        return not self.warnings


MAX_PAGES_AT_ONCE = 20  # further pages of one account asked for in parallel


def max_workers() -> int:
    """Bound of the thread pool (`PANEL_SERVICES_MAX_PARALLEL`, default 32)."""
    return max(1, int(getattr(settings, "PANEL_SERVICES_MAX_PARALLEL", 32)))


def _team_tokens(team: Any, read_write: bool) -> tuple[dict[str, tuple[str, ApiToken]], list[AccountWarning]]:
    """One token per account of the team, chosen as `tokens.select_token` does, in one query.

    Reads prefer a read-only token (least privilege), then a checked one; revoked and failing
    tokens are skipped. Accounts with tokens but none usable come back as warnings.
    """
    rows = list(ApiToken.objects.filter(team=team).exclude(account_id="").order_by("pk"))
    chosen: dict[str, tuple[str, ApiToken]] = {}
    labels: dict[str, str] = {}
    for token in rows:
        labels.setdefault(token.account_id, token.account_label or token.account_id)
    usable = [t for t in rows if t.status not in (TokenStatus.REVOKED, TokenStatus.FAILING)]
    if read_write:
        usable = [t for t in usable if t.scope == TokenScope.READ_WRITE]
    scope_rank: dict[str, int] = {TokenScope.READ_ONLY: 0, TokenScope.READ_WRITE: 1}
    status_rank: dict[str, int] = {TokenStatus.OK: 0, TokenStatus.UNCHECKED: 1}
    usable.sort(
        key=lambda t: (
            scope_rank.get(t.scope, 2) if not read_write else 0,
            status_rank.get(t.status, 2),
            t.pk,
        )
    )
    for token in usable:
        if token.account_id not in chosen:
            chosen[token.account_id] = (labels[token.account_id], token)
    warnings = [
        AccountWarning(
            account_id,
            label,
            f"No working VPSBG token for account {label} (revoked or failing); "
            "replace it on the Tokens page.",
            NoUsableToken.code,
        )
        for account_id, label in labels.items()
        if account_id not in chosen
    ]
    return chosen, warnings


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """One bounded pool per process, kept between calls (starting threads costs ~2 ms each)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max_workers(), thread_name_prefix="vpsbg")
        return _pool


class _FanOut:
    """Starts each call's HTTP part as soon as the call is prepared, on the shared pool.

    Cache hits need no thread, and a call that turns out to be the only miss runs on the calling
    thread (a thread hand-off costs more than it saves for one request).
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._futures: dict[int, Future[Outcome]] = {}
        self._held: int | None = None  # the first miss, started once a second one shows up

    def add(self, call: Call) -> None:
        index = len(self.calls)
        self.calls.append(call)
        if call.client is None:
            return
        if self._held is None and not self._futures:
            self._held = index
            return
        if self._held is not None:
            self._start(self._held)
            self._held = None
        self._start(index)

    def _start(self, index: int) -> None:
        self._futures[index] = _executor().submit(perform, self.calls[index])

    def outcomes(self) -> Iterator[Outcome]:
        """Each call's outcome in order, as it comes (the first can be finished while the
        others are still being read)."""
        for index, call in enumerate(self.calls):
            future = self._futures.get(index)
            yield future.result() if future is not None else perform(call)


def run_together(calls: Iterable[Call]) -> list[Any]:
    """Prepared calls with their HTTP parts in parallel on the pool: each result, or its PanelError."""
    fan = _FanOut()
    for call in calls:
        fan.add(call)
    results: list[Any] = []
    for call, outcome in zip(fan.calls, fan.outcomes(), strict=True):
        try:
            results.append(finish(call, outcome))
        except PanelError as exc:
            results.append(exc)
    return results

def _read_here(read: Callable[[Any], Any], outcome: Outcome) -> Outcome:
    """`read` applied to a worker's result on this thread; like `perform`, it never raises."""
    try:
        return Outcome(read(outcome.value))
    except BaseException as exc:  # a malformed answer: finish() maps it as if the worker raised it
        return Outcome(error=exc)


def _across_accounts(
    request: PendingCall[Any],
    *,
    actor: ActorLike,
    runner: Callable[..., Any] | None,
    collect: Callable[[str, str, Any], Iterable[Any]],
    only_scoped_accounts: bool = False,
    read: Callable[[Any], Any] | None = None,
) -> Aggregate:
    """One call per account (`runner` on the pool's threads), then `read` and `collect` on this one."""
    who = as_actor(actor)
    chosen, warnings = _team_tokens(who.team, read_write=False)
    if only_scoped_accounts and who.is_server_limited:
        # A member limited to some servers: ask only the accounts those servers belong to.
        scoped = {str(entry).rpartition(":")[0] for entry in who.membership.server_scope}
        chosen = {a: v for a, v in chosen.items() if a in scoped}
        warnings = [w for w in warnings if w.account_id in scoped]
    result = Aggregate(warnings=list(warnings))
    fan = _FanOut()
    for account_id, (label, token) in chosen.items():
        try:
            prepared = prepare(
                request,
                actor=who,
                runner=runner,
                resolved=(account_id, label, token),
            )
        except PanelError as exc:
            if exc.code == "not_allowed":
                raise  # the role may not read this at all: one clear error, not one per account
            result.warn(account_id, label, exc)
            continue
        fan.add(prepared)  # its request leaves now, while the next account is prepared
    used: list[ApiToken] = []
    fresh: dict[str, Any] = {}
    for call, answer in zip(fan.calls, fan.outcomes(), strict=True):
        outcome = answer
        if read is not None and answer.error is None and call.client is not None:
            outcome = _read_here(read, answer)
        if outcome.error is None and call.client is not None:
            if call.token is not None:
                used.append(call.token)
                call.token = None  # stamped below in one UPDATE instead of one per account
            if call.cache_key is not None:
                fresh[call.cache_key] = outcome.value
                call.cache_key = None  # cached below in one write instead of one per account
        try:
            value = finish(call, outcome)
        except PanelError as exc:
            result.warn(call.account_id, call.account_label, exc)
            continue
        result.items.extend(collect(call.account_id, call.account_label, value))
    if fresh:
        cache.set_many(fresh)
    if used:
        _stamp(used)
    return result


def _stamp(tokens: list[ApiToken]) -> None:
    """`tokens.record_token_use` for many tokens in one UPDATE."""
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(last_used_at=timezone.now())


@dataclass(frozen=True)
class _FirstPage:
    """What a pool thread brings back for one account: its first page, unread, and how to ask
    for the others."""

    client: Any
    request: PendingCall[UnreadPage[Server]]
    answer: UnreadPage[Server]


def _first_page(client: Any, request: PendingCall[UnreadPage[Server]]) -> _FirstPage:
    """Runs on a pool thread and only talks HTTP (the answer is validated by `_every_page`)."""
    return _FirstPage(client, request, request(client))


def _every_page(first: _FirstPage) -> list[Page[Server]]:
    """Every page of the account's servers, as `servers.iter_all` walks them, validated here.

    The first page says how many follow; those are asked for at once on the pool (an account
    with more than 50 servers waits one more upstream latency, not one per page). As in the
    walk, an empty page or one without a next page ends the list. Each page keeps its JSON, so
    the cache stores that JSON instead of encoding a thousand models again.
    """
    page = first.answer.read()
    pages = [page]
    number = 1
    while page.items and page.has_next:
        numbers = range(number + 1, max(page.last_page, number + 1) + 1)[:MAX_PAGES_AT_ONCE]
        asked = first.request.arguments
        batch = [
            _executor().submit(vpsbg_api.call(ServersArea.list_unread, **{**asked, "page": n}), first.client)
            for n in numbers
        ]
        try:
            for n, future in zip(numbers, batch, strict=True):
                number, page = n, future.result().read()
                pages.append(page)
                if not page.items or not page.has_next:
                    break
        finally:
            for future in batch:
                future.cancel()  # pages past the end, when the paginator promised more
    return pages


def servers_list_all(
    *,
    actor: ActorLike,
    status: str | None = None,
    search: str | None = None,
    ip: str | None = None,
) -> Aggregate:
    """Every server of every VPSBG account of the team, in one list of `TeamServer`s.

    Filtered by the member's server scope; sorted by account, then server id. `status`, `search`
    and `ip` are VPSBG's list filters (`status` defaults upstream to `active,suspended`).
    """
    who = as_actor(actor)
    seen: set[tuple[str, int]] = set()
    limited = who.is_server_limited

    def collect(account_id: str, label: str, pages: list[Page[Server]]) -> Iterable[TeamServer]:
        items = []
        for page in pages:
            for server in page:
                key = (account_id, server.id)
                if key in seen or (limited and not who.may_see_server(account_id, server.id)):
                    continue
                seen.add(key)
                items.append(TeamServer(ServerRef(account_id, str(server.id)), label, server))
        return items

    result = _across_accounts(
        vpsbg_api.call(ServersArea.list_unread, page=1, per_page=50, status=status, search=search, ip=ip),
        actor=who,
        runner=_first_page,
        collect=collect,
        only_scoped_accounts=True,
        read=_every_page,
    )
    result.items.sort(key=lambda s: (s.account_label, s.ref.account_id, s.server.id))
    return result


def balances_all(*, actor: ActorLike) -> Aggregate:
    """The balance of every VPSBG account of the team (`AccountBalance` items)."""
    return _across_accounts(
        vpsbg_api.call(BalanceArea.get),
        actor=actor,
        runner=None,
        collect=lambda account_id, label, balance: [AccountBalance(account_id, label, balance)],
    )
