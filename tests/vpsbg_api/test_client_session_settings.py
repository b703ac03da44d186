"""The client prepares each request itself (cheaper than `Session.request`) yet honours every
setting of its session: headers, proxies, CA bundle, client certificate, cookies, hooks, params.
"""

from __future__ import annotations

from typing import Any

import requests

from .fakes import TOKEN, FakeAdapter, Reply, make_client


class RecordingAdapter(FakeAdapter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options: list[dict[str, Any]] = []

    def send(self, request: requests.PreparedRequest, **options: Any) -> requests.Response:  # type: ignore[override]
        self.options.append(options)
        return super().send(request, **options)


def _client(*replies: Reply) -> tuple[Any, RecordingAdapter]:
    client, _ = make_client()
    adapter = RecordingAdapter(list(replies) or None)
    client.session.mount("https://", adapter)
    return client, adapter


def test_proxies_ca_bundle_and_certificate_of_the_session_reach_the_transport() -> None:
    client, adapter = _client(Reply(200, json={"balance": 1}))
    client.session.proxies["https"] = "http://proxy.internal:3128"
    client.session.verify = "/etc/ssl/corp.pem"
    client.session.cert = "/etc/ssl/client.pem"
    client.balance.get()
    options = adapter.options[-1]
    assert options["proxies"]["https"] == "http://proxy.internal:3128"
    assert options["verify"] == "/etc/ssl/corp.pem"
    assert options["cert"] == "/etc/ssl/client.pem"
    assert options["timeout"] == client.timeout


def test_headers_cookies_and_params_of_the_session_are_sent() -> None:
    client, adapter = _client(Reply(200, json={"data": [], "meta": None}))
    client.session.cookies.set("laravel_session", "abc", domain="api.test")
    client.session.params = {"locale": "en"}
    client.servers.list(per_page=5)
    sent = adapter.last
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["Cookie"] == "laravel_session=abc"
    assert "per_page=5" in (sent.url or "") and "locale=en" in (sent.url or "")


def test_a_response_hook_on_the_session_still_runs() -> None:
    client, _adapter = _client(Reply(200, json={"balance": 1}))
    heard: list[int] = []
    client.session.hooks["response"].append(lambda response, **_: heard.append(response.status_code))
    client.balance.get()
    assert heard == [200]


def test_the_session_headers_are_not_changed_by_a_request() -> None:
    client, _adapter = _client(Reply(200, json={"id": 1, "status": "paid"}))
    before = dict(client.session.headers)
    client.balance.deposit(amount=10, payment_method="card")  # a JSON body adds Content-Type
    assert dict(client.session.headers) == before
