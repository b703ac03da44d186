"""A fake transport for the VPSBG client: records every request and answers canned responses.

Mounted on the client's own `requests.Session`, so everything above the socket (URL building,
headers, JSON and multipart encoding, retries, error mapping) runs for real.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from vpsbg_api import Client, RetryPolicy

TOKEN = "tok_SECRET_abc123"


@dataclass
class Reply:
    """One canned answer: a status with a JSON body, raw bytes, or an exception to raise."""

    status: int = 200
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raises: BaseException | None = None


Responder = Callable[[requests.PreparedRequest], Reply]


class FakeAdapter(BaseAdapter):
    """Answers from a queue of `Reply` (the last one repeats) or from a function of the request."""

    def __init__(self, replies: Iterable[Reply] | Responder | None = None) -> None:
        super().__init__()
        self.requests: list[requests.PreparedRequest] = []
        self.timeouts: list[Any] = []
        self._responder: Responder | None = replies if callable(replies) else None
        self._queue: list[Reply] = [] if callable(replies) or replies is None else list(replies)

    def queue(self, *replies: Reply) -> None:
        self._queue.extend(replies)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.requests.append(request)
        self.timeouts.append(timeout)
        if self._responder is not None:
            reply = self._responder(request)
        elif len(self._queue) > 1:
            reply = self._queue.pop(0)
        elif self._queue:
            reply = self._queue[0]
        else:
            reply = Reply(204)
        if reply.raises is not None:
            raise reply.raises
        response = requests.Response()
        response.status_code = reply.status
        response.reason = requests.status_codes._codes.get(reply.status, ("",))[0].upper().replace("_", " ")
        headers = dict(reply.headers)
        if reply.content is not None:
            response._content = reply.content
        elif reply.json is not None:
            response._content = jsonlib.dumps(reply.json).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            response._content = b""
        response.headers = CaseInsensitiveDict(headers)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass

    @property
    def last(self) -> requests.PreparedRequest:
        return self.requests[-1]


class Sleeper:
    """Records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_client(
    replies: Iterable[Reply] | Responder | None = None, **kwargs: Any
) -> tuple[Client, FakeAdapter]:
    """A client on a fake transport, with a retry policy that never really sleeps."""
    adapter = FakeAdapter(replies)
    kwargs.setdefault("retry", RetryPolicy(max_attempts=3, sleep=Sleeper(), rand=lambda: 0.5))
    client = Client(TOKEN, base_url="https://api.test/v1", **kwargs)
    client.session.mount("https://", adapter)
    return client, adapter


def body_json(request: requests.PreparedRequest) -> Any:
    raw = request.body
    if raw is None:
        return None
    return jsonlib.loads(raw.decode() if isinstance(raw, bytes) else raw)
