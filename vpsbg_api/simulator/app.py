"""The simulator: state + clock + faults + rate limit behind a threaded HTTP/1.1 server.

Request flow: admin routes (``/_admin/...``) first; then ``/v1`` routes are matched against the
route table compiled from the reference, the bearer token is checked (401), its account and
mode found (read-only token on a non-GET -> 403), the rate limit counted (429), faults applied,
the body parsed and validated against the reference's schema (422), and the handler called
under one lock, so handlers never see a half-done change.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections import Counter
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import handlers as _handlers  # noqa: F401  (registers every handler)
from .clock import Clock
from .context import HANDLERS, Ctx, Reply, Upload
from .encoding import RenderCache, encode_json
from .errors import ApiError
from .faults import Faults
from .ratelimit import RateLimiter
from .seed import DEMO_TOKENS, build_state
from .spec import Operation, operations, route_table
from .state import State
from .validation import refuse_missing_body, validate_body

log = logging.getLogger("vpsbg_api.simulator")

MAX_BODY = 32 * 1024 * 1024


def parse_token_spec(spec: str) -> tuple[str, str, str | None]:
    """``VALUE:rw[:ACCOUNT]`` -> (value, mode, account or None)."""
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[0] or parts[1] not in ("rw", "ro"):
        raise ValueError(f"token spec {spec!r} must look like VALUE:rw[:ACCOUNT] or VALUE:ro[:ACCOUNT]")
    return parts[0], parts[1], parts[2] if len(parts) == 3 and parts[2] else None


class Simulator:
    """A stateful stand-in for the VPSBG v1 API.

    ``tokens`` maps token value -> ``"rw"``/``"ro"`` or ``("rw", "account")``; tokens without an
    account belong to the first account. ``seed`` is ``"demo"`` (the documented demo data) or
    ``"empty"`` (one account, no resources). ``servers=N`` adds N extra servers to the first
    account (benchmarks). ``action_seconds`` is how long deploy/reinstall/... keep a server locked.
    ``cache_renders=True`` keeps the encoded JSON of listed servers between requests (see
    ``encoding.RenderCache``: only for a state changed through the API, as in benchmarks).
    """

    def __init__(
        self,
        seed: str = "demo",
        tokens: dict[str, Any] | None = None,
        action_seconds: float = 20.0,
        power_seconds: float | None = None,
        rate_limit: int | None = None,
        state_file: str | None = None,
        servers: int = 0,
        clock: Clock | None = None,
        faults: list[str] | None = None,
        balance: float | None = None,
        cache_renders: bool = False,
    ) -> None:
        self.clock = clock or Clock()
        self.action_seconds = float(action_seconds)
        self.power_seconds = float(power_seconds if power_seconds is not None else action_seconds)
        self.state_file = state_file
        self.lock = threading.RLock()
        self.render_cache: RenderCache | None = RenderCache() if cache_renders else None
        self.faults = Faults()
        # Accepted calls per operationId (the handler ran without an error): tests count side effects.
        self.calls: Counter[str] = Counter()
        # Accepted writes in order, as (operationId, path): tests check each reached VPSBG once.
        self.writes: list[tuple[str, str]] = []
        for spec in faults or []:
            self.faults.add_spec(spec)
        self.rate_limiter = RateLimiter(rate_limit, self.clock.now)
        if state_file and Path(state_file).exists():
            self.state = State.load(state_file)
        else:
            self.state = State(
                build_state(
                    seed, now=self.clock.now(), extra_servers=servers, balance=balance, seconds=action_seconds
                )
            )
        self._apply_tokens(tokens)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.base_url = ""

    def _apply_tokens(self, tokens: dict[str, Any] | None) -> None:
        if not tokens:
            return
        first = next(iter(self.state.data["accounts"]))
        for value, spec in tokens.items():
            mode, account = (spec, None) if isinstance(spec, str) else tuple(spec)
            if mode not in ("rw", "ro"):
                raise ValueError(f"token mode must be rw or ro, not {mode!r}")
            account = account or first
            if account not in self.state.data["accounts"]:
                raise ValueError(f"unknown account {account!r} for token")
            self.state.data["tokens"][value] = {"account": account, "mode": mode}

    @property
    def tokens(self) -> dict[str, dict[str, str]]:
        return self.state.data["tokens"]

    # ---- lifecycle -------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0, *, reuse_port: bool = False) -> str:
        """Serve on a thread; `reuse_port` lets several processes share the port (SO_REUSEPORT).

        With a shared port the kernel spreads connections over the processes, like pre-forked
        workers; each process keeps its own copy of the state, so that is for read-only loads
        (benchmarks), not for a world that changes.
        """
        handler = type("BoundHandler", (RequestHandler,), {"sim": self})
        server_class = _SharedPortServer if reuse_port else ThreadingHTTPServer
        self._server = server_class((host, port), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        real_host, real_port = str(self._server.server_address[0]), int(self._server.server_address[1])
        self.base_url = f"http://{real_host}:{real_port}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="vpsbg-sim", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.save()

    def save(self) -> None:
        if self.state_file:
            with self.lock:
                self.state.save(self.state_file)

    # ---- request dispatch -----------------------------------------------------------
    def authenticate(self, header: str | None) -> tuple[str, dict[str, str]]:
        if not header or not header.lower().startswith("bearer "):
            raise ApiError(401, "Unauthenticated.")
        token = header[7:].strip()
        info = self.state.data["tokens"].get(token)
        if info is None:
            raise ApiError(401, "Unauthenticated.")
        return token, info

    def call(self, ctx: Ctx) -> Reply:
        handler = HANDLERS.get(ctx.op.operation_id)
        if handler is None:  # pragma: no cover - guarded by a test
            raise ApiError(501, f"{ctx.op.operation_id} is not implemented by the simulator.")
        result = handler(ctx)
        self.calls[ctx.op.operation_id] += 1
        if ctx.op.method != "GET":
            self.writes.append((ctx.op.operation_id, ctx.request_path))
        if isinstance(result, Reply):
            return result
        if result is None:
            return Reply(204)
        return Reply(int(ctx.op.success_status) if ctx.op.success_status.isdigit() else 200, result)


class _SharedPortServer(ThreadingHTTPServer):
    allow_reuse_port = True


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "VPSBG-Simulator/1.0"
    # Small responses on a kept-alive connection would otherwise wait for delayed ACKs (~40 ms).
    disable_nagle_algorithm = True
    sim: Simulator

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    # Every method goes through one dispatcher.
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")  # a GET whose answer goes without its body (see `_send`)

    def do_OPTIONS(self) -> None:
        self._dispatch("OPTIONS")  # no route takes it: 405 with Allow, as Laravel answers

    def do_TRACE(self) -> None:
        self._dispatch("TRACE")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Refusals of the HTTP layer itself (bad request line, unknown method) answer JSON too."""
        # An unreadable request line leaves the stdlib's HTTP/0.9 default, which sends no headers.
        self.request_version = "HTTP/1.0" if self.request_version == "HTTP/0.9" else self.request_version
        self.close_connection = True
        self._error(ApiError(code, message or self.responses.get(code, ("Error",))[0]))

    # ---- output ---------------------------------------------------------------------
    def _send(self, reply: Reply, extra: dict[str, str] | None = None) -> None:
        if reply.status == 204 or reply.body is None:
            payload = b""
        elif isinstance(reply.body, bytes | bytearray):
            payload = bytes(reply.body)
        else:
            payload = encode_json(reply.body)
        self.send_response(reply.status)
        if payload:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in {**(extra or {}), **reply.headers}.items():
            self.send_header(key, value)
        # Headers and body leave in one write (one TCP segment for small answers).
        buffer: list[bytes] = self._headers_buffer  # type: ignore[attr-defined]
        buffer.append(b"\r\n")
        if payload and self.command != "HEAD":
            buffer.append(payload)
        self.flush_headers()

    def _error(self, err: ApiError, extra: dict[str, str] | None = None) -> None:
        self._send(Reply(err.status, err.body()), extra)

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        if not length:
            return b""
        n = int(length)
        if n > MAX_BODY:
            raise ApiError(413, "The request body is too large.")
        return self.rfile.read(n)

    # ---- the pipeline ---------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        sim = self.sim
        try:
            raw_body = self._read_body()
        except (ValueError, ApiError) as exc:
            self.close_connection = True
            self._error(exc if isinstance(exc, ApiError) else ApiError(400, "Malformed request body."))
            return
        split = urlsplit(self.path)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        if method == "HEAD":
            method = "GET"
        if path.startswith("/_admin/"):
            self._admin(method, path, raw_body)
            return
        if not (path == "/v1" or path.startswith("/v1/")):
            self._error(ApiError(404, "Not found."))
            return
        api_path = path[3:] or "/"
        op, params = route_table().match(method, api_path)
        if op is None:
            self._refuse_route(path)
            return
        rate_headers: dict[str, str] = {}
        try:
            token, info = sim.authenticate(self.headers.get("Authorization"))
            allowed, rate_headers = sim.rate_limiter.hit(token)
            if not allowed:
                raise ApiError(429, "Too Many Attempts.")
            if method != "GET" and info["mode"] != "rw":
                raise ApiError(403, "This action is unauthorized: the token is read-only.")
        except ApiError as err:
            self._error(err, rate_headers)
            return
        if self._apply_fault(op, rate_headers):
            return
        try:
            body, files = self._parse_body(op, raw_body)
            ctx = Ctx(
                sim=sim,
                op=op,
                account_name=info["account"],
                params=params,
                query=query,
                body=body,
                files=files,
                base_url=self._base_url(),
                now=sim.clock.now(),
                request_path=api_path,
            )
            with sim.lock:
                try:
                    reply = sim.call(ctx)
                finally:
                    if method != "GET":  # even a refused write may have changed something
                        sim.state.generation += 1
                if method != "GET" and sim.state_file and reply.status < 400:
                    sim.state.save(sim.state_file)
        except ApiError as err:
            self._error(err, rate_headers)
            return
        except Exception:  # a crash is a 500 with a message, never a dropped connection
            log.exception("handler %s failed", op.operation_id)
            self._error(ApiError(500, "Server Error"), rate_headers)
            return
        self._send(reply, rate_headers)

    def _refuse_route(self, path: str) -> None:
        """404 for a path no route has; 405 with ``Allow`` for a method the path does not take."""
        allowed = route_table().allowed(path[3:] or "/")
        if not allowed:
            self._error(ApiError(404, "Not found."))
            return
        methods = ", ".join(allowed)
        message = (
            f"The {self.command} method is not supported for route {path.strip('/')}. "
            f"Supported methods: {methods}."
        )
        self._error(ApiError(405, message), {"Allow": methods})

    def _base_url(self) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])  # type: ignore[index]
        return f"http://{host}/v1"

    def _parse_body(self, op: Operation, raw: bytes) -> tuple[Any, dict[str, list[Upload]]]:
        files: dict[str, list[Upload]] = {}
        ctype = self.headers.get("Content-Type", "")
        body: Any = None
        if raw.strip():
            if ctype.startswith("multipart/form-data"):
                body, files = parse_multipart(ctype, raw)
            elif ctype.startswith("application/x-www-form-urlencoded"):
                body = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
            else:
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise ApiError(400, "The request body is not valid JSON.") from None
        if op.body_media is None:
            return body, files
        if body is None:
            if op.body_required:
                refuse_missing_body(op)
            return {}, files
        validate_body(op, body, files)
        return body, files

    def _apply_fault(self, op: Operation, headers: dict[str, str]) -> bool:
        """Apply a matching fault; True when the fault already produced the whole answer."""
        fault = self.sim.faults.pick(op.operation_id)
        if fault is None:
            return False
        if fault.latency:
            time.sleep(fault.latency)
        if fault.timeout:
            # Hang until the client gives up (or the simulator stops), then close silently.
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and not self.sim._stopping.is_set():
                time.sleep(0.05)
                if _peer_closed(self.connection):
                    break
            self.close_connection = True
            return True
        if fault.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault.status:
            extra = dict(headers)
            if fault.status == 429:
                extra.setdefault("Retry-After", "1")
            self._error(ApiError(fault.status, f"Simulated fault ({fault.status})."), extra)
            return True
        if fault.malformed:
            self._send(Reply(200, b'{"data": [{"id": 1, "hostname": '), headers)
            return True
        return False

    # ---- admin ----------------------------------------------------------------------
    def _admin(self, method: str, path: str, raw: bytes) -> None:
        sim = self.sim
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ApiError(422, "The body must be a JSON object.")
            if path == "/_admin/faults" and method == "GET":
                self._send(Reply(200, {"data": sim.faults.list()}))
            elif path == "/_admin/faults" and method == "POST":
                try:
                    fault = sim.faults.add(**body)
                except (TypeError, ValueError) as exc:
                    raise ApiError(422, str(exc)) from None
                self._send(Reply(201, {"id": fault.id}))
            elif path == "/_admin/faults" and method == "DELETE":
                sim.faults.clear()
                self._send(Reply(204))
            elif path == "/_admin/clock" and method == "GET":
                self._send(Reply(200, {"now": sim.clock.now()}))
            elif path == "/_admin/clock" and method == "POST":
                seconds = body.get("advance")
                if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
                    raise ApiError(422, "advance must be a non-negative number of seconds.")
                self._send(Reply(200, {"now": sim.clock.advance(float(seconds))}))
            elif path == "/_admin/state" and method == "GET":
                with sim.lock:
                    self._send(Reply(200, sim.state.snapshot()))
            elif path == "/_admin/tokens" and method == "GET":
                self._send(Reply(200, {"data": sim.tokens, "demo": DEMO_TOKENS}))
            else:
                raise ApiError(404, "Unknown admin endpoint.")
        except ApiError as err:
            self._error(err)
        except ValueError:
            self._error(ApiError(400, "The request body is not valid JSON."))


def _peer_closed(conn: socket.socket) -> bool:
    try:
        conn.setblocking(False)
        try:
            data = conn.recv(1, socket.MSG_PEEK)
        finally:
            conn.setblocking(True)
        return data == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def parse_multipart(ctype: str, raw: bytes) -> tuple[dict[str, Any], dict[str, list[Upload]]]:
    """Parse multipart/form-data with the stdlib email parser (no ``cgi`` module needed)."""
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        raise ApiError(400, "Malformed multipart body.")
    fields: dict[str, Any] = {}
    files: dict[str, list[Upload]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_filename()
        raw_payload = part.get_payload(decode=True)
        payload = raw_payload if isinstance(raw_payload, bytes) else b""
        if filename is not None:
            files.setdefault(str(name), []).append(
                Upload(str(filename), part.get_content_type() or "application/octet-stream", payload)
            )
        else:
            fields[str(name)] = payload.decode("utf-8", "replace")
    return fields, files


__all__ = ["Simulator", "operations", "parse_token_spec"]
