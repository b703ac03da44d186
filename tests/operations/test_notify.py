"""How the result reaches people: in the panel always; by e-mail and team webhook when configured."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.core import mail

from panel.operations import notify, services
from panel.operations.models import Notification, State, TeamWebhook

from .conftest import ALPHA, run_to_end


def test_email_goes_to_the_actor_when_enabled(
    owner, tokens, sleeps, settings, django_capture_on_commit_callbacks
):
    settings.OPERATIONS_NOTIFY_EMAIL = True
    op = services.start(actor=owner, kind="pay_orders", params={"orders": [f"{ALPHA}:7814"]})
    with django_capture_on_commit_callbacks(execute=True):
        op = run_to_end(op)
    assert op.state == State.SUCCEEDED
    assert [m.to for m in mail.outbox] == [[owner.user.email]]
    assert "Pay orders of order 7814 succeeded" in mail.outbox[0].subject
    assert Notification.objects.get(operation=op).level == "success"


def test_no_email_by_default(owner, tokens, sleeps, django_capture_on_commit_callbacks) -> None:
    op = services.start(actor=owner, kind="pay_orders", params={"orders": [f"{ALPHA}:7814"]})
    with django_capture_on_commit_callbacks(execute=True):
        run_to_end(op)
    assert mail.outbox == []


def test_team_webhook_receives_the_end_of_an_operation(owner, tokens, sleeps) -> None:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        TeamWebhook.objects.create(team=owner.team, url=f"http://127.0.0.1:{server.server_port}/hook")
        op = run_to_end(services.start(actor=owner, kind="pay_orders", params={"orders": [f"{ALPHA}:7814"]}))
        assert notify.post(op, timeout=5) == 204
        thread.join(5)
    finally:
        server.server_close()
    assert received == [notify.payload(op)]
    assert received[0]["state"] == "succeeded" and "params" not in received[0]


def test_webhook_failure_is_not_an_error(owner, tokens, sleeps, free_port) -> None:
    TeamWebhook.objects.create(team=owner.team, url=f"http://127.0.0.1:{free_port}/nobody")
    op = run_to_end(services.start(actor=owner, kind="pay_orders", params={"orders": [f"{ALPHA}:7814"]}))
    assert notify.post(op, timeout=1) is None
