"""Error reporting: a crash reaches Sentry with its type and place, never a token, password or body.

The SDK runs for real with a fake transport that keeps the envelopes it would have sent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import sentry_sdk
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from panel.core.error_reporting import init_error_reporting, scrub_event

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls_errors")]

TOKEN = "vpsbg-canary-token-5d1f0e9a"
PASSWORD = "hunter2-canary-password"
BODY = "body-canary-text-81c2"
COOKIE = "session-canary-cookie-4a7e"
CSRF = "csrfcanary0123456789abcdefghijkl"  # 32 characters, as Django's CSRF secret


class KeptEnvelopes(Transport):
    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [item.payload.json for env in self.envelopes for item in env.items if item.type == "event"]


@pytest.fixture
def sent() -> Iterator[KeptEnvelopes]:
    transport = KeptEnvelopes()
    init_error_reporting("https://public@errors.invalid/1", environment="test", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: the SDK stays installed and sends nothing


def test_a_crash_is_reported_without_secrets(sent: KeptEnvelopes) -> None:
    # Through Django's real WSGI handler (the one gunicorn calls), which the SDK instruments.
    request = RequestFactory().post(
        f"/crash/?token={TOKEN}",
        data={"password": PASSWORD, "note": BODY},
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
        HTTP_USER_AGENT="pytest-agent",
        HTTP_COOKIE=f"sessionid={COOKIE}; csrftoken={CSRF}",
        HTTP_X_CSRFTOKEN=CSRF,
    )
    statuses: list[str] = []
    # As Django's test client does: the test's transaction must survive the request signals.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        WSGIHandler()(request.environ, lambda status, headers: statuses.append(status))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert statuses == ["500 Internal Server Error"]
    sentry_sdk.flush()
    events = sent.events()
    assert len(events) == 1
    event = events[0]
    exception = event["exception"]["values"][-1]
    assert exception["type"] == "RuntimeError"
    assert "token=[redacted]" in exception["value"] and "abc123" not in exception["value"]
    assert any(frame["function"] == "crash" for frame in exception["stacktrace"]["frames"])
    assert event["request"]["url"] == "/crash/"  # the route, not the path with its query
    kept = {"User-Agent", "Content-Type", "Content-Length", "X-Request-Id"}
    assert set(event["request"]["headers"]) <= kept
    assert event["request"]["headers"]["User-Agent"] == "pytest-agent"
    assert event["request"]["method"] == "POST"
    text = json.dumps(sent.events())
    for secret in (TOKEN, PASSWORD, BODY, COOKIE, CSRF, "abc123"):
        assert secret not in text
    assert not any("vars" in frame for frame in exception["stacktrace"]["frames"])


def test_an_error_log_is_reported_with_its_secrets_redacted(sent: KeptEnvelopes) -> None:
    logging.getLogger("panel.test").error("token check failed: Bearer %s", TOKEN, extra={"api_token": TOKEN})
    sentry_sdk.flush()
    text = json.dumps(sent.events())
    assert "token check failed" in text
    assert TOKEN not in text


def test_scrub_event_keeps_the_route_not_the_path() -> None:
    event = {
        "transaction": "/invitations/{token}/",
        "request": {
            "url": f"https://panel.example.com/invitations/{TOKEN}/",
            "query_string": f"next={TOKEN}",
            "headers": {"Authorization": f"Bearer {TOKEN}", "Cookie": COOKIE, "X-Request-ID": "req-1"},
            "data": {"password": PASSWORD},
            "cookies": {"sessionid": COOKIE},
        },
        "user": {"id": "7", "email": "someone@example.com", "ip_address": "10.0.0.9"},
        "extra": {"secret": TOKEN, "count": 3},
    }
    scrubbed = scrub_event(event)
    assert scrubbed["request"] == {"url": "/invitations/{token}/", "headers": {"X-Request-ID": "req-1"}}
    assert scrubbed["user"] == {"id": "7"}
    assert scrubbed["extra"] == {"secret": "[redacted]", "count": 3}
