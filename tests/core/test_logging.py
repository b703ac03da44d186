"""Every log line of a request carries its id; the id follows into tasks; secrets never reach a log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from celery import Celery, signals

from panel.core.logs import REDACTED, build_logging_config, redact_secrets
from panel.core.request_id import bind_request_id, clear_request_id
from panel.core.tasks import heartbeat


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Capture what the production (JSON) formatter writes, one object per line."""
    config = build_logging_config(fmt="json")
    formatter_config = dict(config["formatters"]["structured"])
    formatter_class = formatter_config.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_class(**formatter_config))
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        clear_request_id()


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_request_id_is_generated_and_returned(client, json_log) -> None:
    response = client.get("/healthz/live")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    request_lines = [line for line in lines(json_log) if line["event"] == "request"]
    assert request_lines[-1]["request_id"] == request_id
    assert request_lines[-1]["path"] == "/healthz/live" and request_lines[-1]["status"] == 200


@pytest.mark.django_db
def test_request_id_from_proxy_is_kept(client, json_log) -> None:
    response = client.get("/healthz/live", HTTP_X_REQUEST_ID="lb-4f2a9c1e-77")
    assert response["X-Request-ID"] == "lb-4f2a9c1e-77"
    assert lines(json_log)[-1]["request_id"] == "lb-4f2a9c1e-77"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["short", "has space in it", "x" * 200, "inject\nfake-line", 'a"b{}c<d>e'])
def test_malformed_request_id_is_replaced(client, bad) -> None:
    response = client.get("/healthz/live", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad and len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_stdlib_and_structlog_lines_of_a_request_share_the_id(client, json_log, monkeypatch) -> None:
    """Log lines written by any library during the request (here: django.request's 404) carry the id."""
    response = client.get("/no-such-page", HTTP_X_REQUEST_ID="trace-0000-1111")
    assert response.status_code == 404
    records = lines(json_log)
    assert {line["logger"] for line in records} >= {"django.request", "panel.request"}
    assert all(line["request_id"] == "trace-0000-1111" for line in records)


def test_secrets_are_redacted_by_key_and_in_free_text(json_log) -> None:
    log = structlog.get_logger("panel.test")
    log.info(
        "token saved with Bearer abcdef123456",
        token="vpsbg-token-1234567890",
        headers={"Authorization": "Bearer s3cr3t-value", "Accept": "application/json"},
        payload=[{"password": "hunter2-hunter2"}],
        note="retry with api_key=zzz-top-secret then",
        token_id=42,
    )
    logging.getLogger("requests").warning("sending password=plain-text-pass to upstream")
    text = json_log.getvalue()
    for secret in (
        "vpsbg-token-1234567890",
        "s3cr3t-value",
        "hunter2-hunter2",
        "zzz-top-secret",
        "abcdef123456",
        "plain-text-pass",
    ):
        assert secret not in text
    first, second = lines(json_log)
    assert first["token"] == REDACTED
    assert first["headers"] == {"Authorization": REDACTED, "Accept": "application/json"}
    assert first["payload"] == [{"password": REDACTED}]
    assert first["token_id"] == 42  # identifiers are not secrets
    assert second["event"] == f"sending password={REDACTED} to upstream"


def test_redaction_processor_handles_odd_values() -> None:
    event = {"event": "x", "secret": None, "nested": {"cookie": {"a": 1}}, "tuple": ("token=abc",), "n": 3}
    assert redact_secrets(None, "info", event) == {
        "event": "x",
        "secret": REDACTED,
        "nested": {"cookie": REDACTED},
        "tuple": (f"token={REDACTED}",),
        "n": 3,
    }


def test_bad_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT must be 'json' or 'console'"):
        build_logging_config(fmt="xml")


def test_request_id_goes_into_the_headers_of_enqueued_tasks() -> None:
    """The web process puts the bound id in the message headers when it enqueues a task."""
    app = Celery("publish-test", broker="memory://", set_as_current=False)
    seen: list[dict] = []

    def record(headers=None, **kwargs):
        seen.append(dict(headers or {}))

    signals.before_task_publish.connect(record, weak=False)
    try:
        bind_request_id("req-from-web-123")
        app.send_task("panel.core.tasks.heartbeat")
        clear_request_id()
        app.send_task("panel.core.tasks.heartbeat")
    finally:
        signals.before_task_publish.disconnect(record)
        clear_request_id()
    assert seen[0]["request_id"] == "req-from-web-123"
    assert "request_id" not in seen[1]  # outside a request nothing is invented at publish time


@pytest.mark.django_db
def test_task_binds_the_request_id_from_its_headers(json_log) -> None:
    """In the worker, every line the task logs carries the id of the request that enqueued it."""
    heartbeat.apply(headers={"request_id": "req-from-web-456"})
    task_lines = [line for line in lines(json_log) if line.get("task") == "panel.core.tasks.heartbeat"]
    assert task_lines and all(line["request_id"] == "req-from-web-456" for line in task_lines)
    assert structlog.contextvars.get_contextvars() == {}  # unbound after the task


@pytest.mark.django_db
def test_task_without_request_gets_its_own_id(json_log) -> None:
    heartbeat.apply()
    task_lines = [line for line in lines(json_log) if line.get("task") == "panel.core.tasks.heartbeat"]
    assert task_lines and len(task_lines[0]["request_id"]) == 32


@pytest.mark.django_db
def test_invitation_and_password_reset_tokens_never_reach_the_request_log(client, json_log) -> None:
    """The tokens are path segments: the request line and Django's 4xx line show a marker instead."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from tests.factories import UserFactory

    invitation_token = "inv1tat10n-t0ken-Zq8wYx3vBn5mKj7hGf2dSa"
    client.get(f"/invitations/{invitation_token}/")
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset_token = default_token_generator.make_token(user)
    client.get(f"/accounts/password/reset/{uid}/{reset_token}/")

    written = json_log.getvalue()
    assert invitation_token not in written and reset_token not in written
    paths = [line["path"] for line in lines(json_log) if line["event"] == "request"]
    assert f"/invitations/{REDACTED}/" in paths
    assert f"/accounts/password/reset/{uid}/{REDACTED}/" in paths


def test_the_numeric_invitation_ids_of_the_team_page_stay_readable() -> None:
    from panel.core.logs import mask_secret_paths

    assert mask_secret_paths("/team/invitations/12/revoke/") == "/team/invitations/12/revoke/"
    assert mask_secret_paths("/accounts/password/reset/MQ/set-password/") == (
        "/accounts/password/reset/MQ/set-password/"
    )
