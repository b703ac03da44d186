"""The HTTP side of the client: one pooled session, retries, error mapping, call events."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from . import errors
from .areas import (
    AffiliateArea,
    BackupsArea,
    BalanceArea,
    FloatingIpsArea,
    InvoicesArea,
    IpAddressesArea,
    IsosArea,
    MeasuredBootArea,
    NetworkProtectionArea,
    OrdersArea,
    PlansArea,
    ServerImagesArea,
    ServersArea,
    SnapshotsArea,
    SshKeysArea,
    SupportArea,
    SupportPlansArea,
    UserArea,
)
from .retry import RetryPolicy
from .spec import Route

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "CallEvent", "Client"]

logger = logging.getLogger("vpsbg_api")

DEFAULT_BASE_URL = "https://api.vpsbg.eu/v1"
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)  # (connect, read) seconds
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_STATUS_ERRORS: dict[int, type[errors.VpsbgError]] = {
    401: errors.AuthenticationError,
    403: errors.PermissionDenied,
    404: errors.NotFound,
    423: errors.Locked,
}
REDACTED = "[redacted]"


@dataclass(frozen=True, slots=True)
class CallEvent:
    """What the hook hears after each call (once, after any retries). Holds no token.

    `path` is the rendered path without host or query string; `status` is the last HTTP status
    (None when no answer came); `error` is the raised error, if any.
    """

    operation_id: str
    method: str
    path: str
    status: int | None
    duration_s: float
    error: errors.VpsbgError | None
    attempts: int = 1


Hook = Callable[[CallEvent], None]


def _connect_phase(exc: requests.RequestException) -> bool:
    """True when the request surely never reached the server (connection not established)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.ReadTimeout):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3 MaxRetryError wraps the cause
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


class Client:
    """Client of the VPSBG v1 API: one method per operation of the reference, grouped by area.

    >>> with Client(token) as vpsbg:
    ...     for server in vpsbg.servers.iter_all(status="active"):
    ...         print(server.hostname)

    Every request carries `Authorization: Bearer <token>`, `Accept: application/json` and a
    User-Agent, over one pooled `requests.Session` (close it with `close()` or a `with` block).
    Areas: `user`, `balance`, `affiliate`, `invoices`, `support`, `support_plans`, `ssh_keys`,
    `servers`, `measured_boot`, `plans`, `snapshots`, `backups`, `server_images`, `isos`,
    `floating_ips`, `ip_addresses`, `orders`, `network_protection`; `vpsbg_api.OPERATIONS` maps
    each operationId to its method.

    Retry policy (injectable as `retry=RetryPolicy(...)`, `RetryPolicy(max_attempts=1)` turns it
    off):
    - GET calls are retried on 429, 502, 503, 504, on connection errors, timeouts and dropped
      connections, up to `max_attempts` tries, waiting `min(cap, base * 2**(n-1))` scaled by a
      random factor in [0.5, 1). A `Retry-After` header (seconds or HTTP date) replaces that wait;
      when it asks for more than `ceiling` seconds the client does not sleep and raises
      `RateLimited(retry_after=...)` at once (with the answer's own status, 429 or 5xx) so the
      caller can reschedule the work instead of holding a worker. With `budget=` set, no retry
      starts once the call has spent that many seconds (waits included): a page that must answer
      in a few seconds gives up after one hung try instead of waiting for a second one.
    - Writes (POST, PUT, PATCH, DELETE) are never retried once the request may have reached the
      server: not on a read timeout, a dropped connection or any HTTP status (a 429 raises
      `RateLimited` with its `retry_after`). The one retry allowed is when the connection was
      never established (refused, DNS failure, connect timeout): nothing was sent, so nothing can
      happen twice (a payment, a deploy).

    Errors are the classes of `vpsbg_api.errors`; none ever contains the token. `hook` is called
    with a `CallEvent` after every call, and each call is logged on the `vpsbg_api` logger
    (DEBUG on success, WARNING on failure), both without the token.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        user_agent: str | None = None,
        hook: Hook | None = None,
        pool_maxsize: int = 10,
    ) -> None:
        if not isinstance(token, str) or not token.strip():
            raise ValueError("a VPSBG API token (non-empty string) is required")
        token = token.strip()  # a pasted token often ends with a newline
        if any(ch.isspace() or not ch.isprintable() for ch in token):
            # refused here, with no echo: requests would put the header value in its error
            raise ValueError("the VPSBG API token contains spaces or control characters")
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL, e.g. https://api.vpsbg.eu/v1")
        from . import __version__

        self._token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.hook = hook
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_maxsize, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # Read proxy and CA-bundle settings from the environment once, here, instead of on every
        # call as requests does (about half a millisecond per call with a large environment); and
        # never let a ~/.netrc entry replace the Bearer header.
        proxies = requests.utils.get_environ_proxies(self.base_url)
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        self.session.trust_env = False
        self.session.proxies.update(proxies)
        if bundle:
            self.session.verify = bundle
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": user_agent or f"vpsbg-panel/{__version__} (+vpsbg_api)",
            }
        )
        self.affiliate = AffiliateArea(self)
        self.backups = BackupsArea(self)
        self.balance = BalanceArea(self)
        self.floating_ips = FloatingIpsArea(self)
        self.invoices = InvoicesArea(self)
        self.ip_addresses = IpAddressesArea(self)
        self.isos = IsosArea(self)
        self.measured_boot = MeasuredBootArea(self)
        self.network_protection = NetworkProtectionArea(self)
        self.orders = OrdersArea(self)
        self.plans = PlansArea(self)
        self.server_images = ServerImagesArea(self)
        self.servers = ServersArea(self)
        self.snapshots = SnapshotsArea(self)
        self.ssh_keys = SshKeysArea(self)
        self.support = SupportArea(self)
        self.support_plans = SupportPlansArea(self)
        self.user = UserArea(self)

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        """Release pooled connections. The client must not be used afterwards."""
        self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r})"

    # -- the one place HTTP happens ----------------------------------------------------------------

    def redact(self, text: str) -> str:
        """`text` with the token replaced, for anything that may end up in a log or an error."""
        return text.replace(self._token, REDACTED) if self._token in text else text

    def send(
        self,
        route: Route,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
    ) -> requests.Response:
        """Perform one operation with retries; return the 2xx response or raise a VpsbgError."""
        policy = self.retry
        idempotent = route.method == "GET"
        url = self.base_url + path
        started = time.perf_counter()
        attempt = 0
        status: int | None = None
        failure: errors.VpsbgError | None = None
        try:
            while True:
                attempt += 1
                try:
                    response = self._request(route.method, url, params, json, data, files)
                except requests.RequestException as exc:
                    retryable = isinstance(
                        exc,
                        requests.ConnectionError
                        | requests.Timeout
                        | requests.exceptions.ChunkedEncodingError,
                    ) and (idempotent or _connect_phase(exc))
                    if retryable:
                        wait = policy.backoff(attempt)
                        if policy.allows(attempt, time.perf_counter() - started, wait):
                            policy.sleep(wait)
                            continue
                    raise self._unavailable(exc, route.operation_id) from None
                status = response.status_code
                if status < 300:
                    return response
                if idempotent and status in RETRY_STATUSES and attempt < policy.max_attempts:
                    asked = policy.retry_after(response.headers.get("Retry-After"))
                    if asked is not None and asked > policy.ceiling:
                        raise self.error_for(response, route.operation_id, retry_after=asked)
                    wait = policy.backoff(attempt) if asked is None else asked
                    if policy.allows(attempt, time.perf_counter() - started, wait):
                        policy.sleep(wait)
                        continue
                raise self.error_for(response, route.operation_id)
        except errors.VpsbgError as exc:
            failure = exc
            raise
        finally:
            self._emit(route, path, status, time.perf_counter() - started, failure, attempt)

    def _request(
        self, method: str, url: str, params: Mapping[str, Any] | None, json: Any, data: Any, files: Any
    ) -> requests.Response:
        """`session.request` without re-merging the session's settings on every call.

        `Session.request` merges headers, params, cookies, hooks and environment settings through
        generic helpers (runtime protocol checks among them): ~0.1 ms a call, half of the client's
        own cost on top of the JSON. The session's settings are used as they are instead; what
        `trust_env = False` (set in `__init__`) makes `Session.request` do is the same.
        """
        session = self.session
        if session.params:
            params = requests.sessions.merge_setting(params, session.params)
        prepared = requests.PreparedRequest()
        prepared.prepare(
            method=method,
            url=url,
            headers=session.headers,
            files=files,
            data=data,
            json=json,
            params=params,
            auth=session.auth,
            cookies=session.cookies,
            hooks=session.hooks,
        )
        return session.send(
            prepared,
            timeout=self.timeout,
            allow_redirects=True,
            proxies=session.proxies,
            stream=session.stream,
            verify=session.verify,
            cert=session.cert,
        )

    def _emit(
        self,
        route: Route,
        path: str,
        status: int | None,
        duration: float,
        failure: errors.VpsbgError | None,
        attempts: int,
    ) -> None:
        level = logging.WARNING if failure is not None else logging.DEBUG
        if logger.isEnabledFor(level):
            logger.log(
                level,
                "%s %s %s -> %s in %.3fs (%d attempt%s)%s",
                route.operation_id,
                route.method,
                path,
                status if status is not None else "no answer",
                duration,
                attempts,
                "" if attempts == 1 else "s",
                f": {failure}" if failure is not None else "",
            )
        if self.hook is not None:
            event = CallEvent(route.operation_id, route.method, path, status, duration, failure, attempts)
            try:
                self.hook(event)
            except Exception:  # a broken hook must not break the call it observes
                logger.exception("vpsbg_api hook failed for %s", route.operation_id)

    # -- errors ------------------------------------------------------------------------------------

    def _unavailable(self, exc: requests.RequestException, operation_id: str) -> errors.UpstreamUnavailable:
        if isinstance(exc, requests.Timeout):
            what = "timed out"
        elif isinstance(exc, requests.ConnectionError):
            what = "connection failed or dropped"
        else:
            what = "request failed"
        detail = self.redact(f"{type(exc).__name__}: {exc}")
        return errors.UpstreamUnavailable(f"VPSBG API {what} ({detail})", operation_id=operation_id)

    def error_for(
        self, response: requests.Response, operation_id: str, *, retry_after: float | None = None
    ) -> errors.VpsbgError:
        """The error a non-2xx answer stands for, with the provider's message and field errors."""
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        message = ""
        field_errors: dict[str, list[str]] = {}
        if isinstance(body, dict):
            raw = body.get("message")
            message = raw if isinstance(raw, str) else ""
            found = body.get("errors")
            if isinstance(found, dict):
                for name, msgs in found.items():
                    items = msgs if isinstance(msgs, list) else [msgs]
                    field_errors[str(name)] = [self.redact(str(m)) for m in items]
        if not message:
            message = f"{response.reason or 'error'}" + ("" if body is not None else " (no JSON error body)")
        message = self.redact(message)
        request_id = response.headers.get("X-Request-ID")
        common: dict[str, Any] = {"status": status, "operation_id": operation_id, "request_id": request_id}
        if status == 422:
            return errors.ValidationError(message, fields=field_errors, **common)
        if status == 429 or retry_after is not None:
            wait = (
                retry_after
                if retry_after is not None
                else self.retry.retry_after(response.headers.get("Retry-After"))
            )
            return errors.RateLimited(message, retry_after=wait, **common)
        cls = _STATUS_ERRORS.get(status, errors.UpstreamError)
        return cls(message, **common)

    def malformed(self, response: requests.Response, operation_id: str, why: str) -> errors.UpstreamError:
        """An error for a 2xx answer the client cannot read as the reference describes."""
        return errors.UpstreamError(
            self.redact(f"unexpected answer from the VPSBG API: {why}"),
            status=response.status_code,
            operation_id=operation_id,
            request_id=response.headers.get("X-Request-ID"),
        )
