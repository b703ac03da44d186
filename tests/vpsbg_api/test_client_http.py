"""The client's HTTP behaviour: headers, retries and backoff, error mapping, redaction, the hook."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

import vpsbg_api
from vpsbg_api import (
    AuthenticationError,
    CallEvent,
    Client,
    Locked,
    NotFound,
    PermissionDenied,
    RateLimited,
    RetryPolicy,
    UpstreamError,
    UpstreamUnavailable,
    ValidationError,
    VpsbgError,
)
from vpsbg_api.retry import parse_retry_after

from .fakes import TOKEN, Reply, Sleeper, make_client

SERVER = {"id": 5, "hostname": "web-1", "status": "active", "locked": False}


def policy(**kw: object) -> tuple[RetryPolicy, Sleeper]:
    sleeper = Sleeper()
    return RetryPolicy(sleep=sleeper, rand=lambda: 0.5, **kw), sleeper  # type: ignore[arg-type]


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens: the request never left the machine."""
    cause = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] refused")  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, "/v1/servers", cause))  # type: ignore[arg-type]


# -- construction ------------------------------------------------------------------------------------


def test_every_call_sends_bearer_token_accept_and_user_agent() -> None:
    client, adapter = make_client([Reply(200, json=SERVER)], user_agent="panel-test/1")
    server = client.servers.get(5)
    assert server.hostname == "web-1"
    sent = adapter.last
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["User-Agent"] == "panel-test/1"
    assert sent.url == "https://api.test/v1/servers/5"


def test_default_user_agent_names_the_client_and_timeout_is_passed() -> None:
    client, adapter = make_client([Reply(200, json=SERVER)], timeout=(1.0, 2.0))
    client.servers.get(5)
    assert adapter.last.headers["User-Agent"].startswith("vpsbg-panel/")
    assert adapter.timeouts[-1] == (1.0, 2.0)


@pytest.mark.parametrize("token", ["", "   ", None])
def test_client_refuses_an_empty_token(token: object) -> None:
    with pytest.raises(ValueError, match="token"):
        Client(token)  # type: ignore[arg-type]


def test_token_with_control_characters_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as info:
        Client("abc\r\nX-Evil: 1")
    assert "abc" not in str(info.value)
    client = Client(f"  {TOKEN}\n")
    assert client.session.headers["Authorization"] == f"Bearer {TOKEN}"


def test_client_refuses_a_base_url_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="base_url"):
        Client(TOKEN, base_url="ftp://example.com")


def test_proxy_and_ca_settings_are_read_from_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corp.pem")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = Client(TOKEN)
    assert client.session.proxies["https"] == "http://proxy.internal:3128"
    assert client.session.verify == "/etc/ssl/corp.pem"
    assert client.session.trust_env is False  # so ~/.netrc can never replace the Bearer header
    monkeypatch.setenv("NO_PROXY", "api.vpsbg.eu")
    assert "https" not in Client(TOKEN).session.proxies


def test_context_manager_closes_the_session() -> None:
    closed: list[bool] = []
    with Client(TOKEN) as client:
        client.session.close = lambda: closed.append(True)  # type: ignore[method-assign]
    assert closed == [True]


def test_client_repr_has_no_token() -> None:
    client, _ = make_client()
    assert TOKEN not in repr(client)
    assert TOKEN not in repr(client.servers)


def test_path_values_are_escaped_and_missing_ones_refused() -> None:
    client, adapter = make_client([Reply(200, json={"id": "a/b"})])
    client.network_protection.attack_get(3, "a/b?x")
    assert adapter.last.path_url == "/v1/network-protection/3/attacks/a%2Fb%3Fx"
    with pytest.raises(ValueError, match="'id' is required"):
        client.servers.get(None)  # type: ignore[arg-type]


def test_none_optional_arguments_are_not_sent() -> None:
    client, adapter = make_client([Reply(200, json=SERVER)])
    client.servers.list(status="active", search=None)
    assert adapter.last.path_url == "/v1/servers?filter%5Bstatus%5D=active"
    client.servers.change_password(5, password="correct horse")
    assert adapter.last.body == b'{"password": "correct horse"}'


def test_modify_isos_sends_null_to_unmount_and_leaves_out_what_is_not_given() -> None:
    client, adapter = make_client([Reply(200, json={})])
    client.servers.modify_isos(5, primary_iso_id=None)
    assert adapter.last.body == b'{"primary_iso_id": null}'


# -- retries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_get_is_retried_on_transient_statuses(status: int) -> None:
    retry, sleeper = policy(max_attempts=3, base=1.0, cap=10.0)
    client, adapter = make_client(
        [Reply(status, json={"message": "busy"}), Reply(200, json=SERVER)], retry=retry
    )
    assert client.servers.get(5).id == 5
    assert len(adapter.requests) == 2
    assert sleeper.waits == [0.75]  # base * 2**0, equal jitter with rand()=0.5 -> 0.75 of it


def test_backoff_grows_exponentially_is_capped_and_jittered() -> None:
    retry = RetryPolicy(base=1.0, cap=5.0, rand=lambda: 0.0)
    assert [retry.backoff(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 2.5, 2.5]
    high = RetryPolicy(base=1.0, cap=5.0, rand=lambda: 0.999999)
    assert high.backoff(10) <= 5.0
    assert high.backoff(10) > 4.99


def test_gives_up_after_max_attempts_with_the_last_error() -> None:
    retry, sleeper = policy(max_attempts=3)
    client, adapter = make_client([Reply(503, json={"message": "down"})], retry=retry)
    with pytest.raises(UpstreamError) as info:
        client.servers.get(5)
    assert len(adapter.requests) == 3
    assert len(sleeper.waits) == 2
    assert info.value.status == 503
    assert info.value.message == "down"


def test_retry_after_seconds_is_honoured_instead_of_backoff() -> None:
    retry, sleeper = policy(max_attempts=2, ceiling=30)
    client, _ = make_client(
        [Reply(429, json={"message": "slow down"}, headers={"Retry-After": "7"}), Reply(200, json=SERVER)],
        retry=retry,
    )
    client.servers.get(5)
    assert sleeper.waits == [7.0]


def test_retry_after_http_date_is_honoured() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    retry, sleeper = policy(max_attempts=2, ceiling=30, now=lambda: now.timestamp())
    when = format_datetime(now + timedelta(seconds=12), usegmt=True)
    client, _ = make_client([Reply(503, headers={"Retry-After": when}), Reply(200, json=SERVER)], retry=retry)
    client.servers.get(5)
    assert sleeper.waits == [12.0]


def test_retry_after_beyond_the_ceiling_raises_rate_limited_without_sleeping() -> None:
    retry, sleeper = policy(max_attempts=5, ceiling=30)
    client, adapter = make_client(
        [Reply(429, json={"message": "Too Many Attempts."}, headers={"Retry-After": "120"})], retry=retry
    )
    with pytest.raises(RateLimited) as info:
        client.servers.get(5)
    assert info.value.retry_after == 120.0
    assert info.value.message == "Too Many Attempts."
    assert sleeper.waits == []
    assert len(adapter.requests) == 1


def test_unavailable_with_a_long_retry_after_is_rate_limited_with_its_status() -> None:
    retry, sleeper = policy(max_attempts=3, ceiling=30)
    client, adapter = make_client(
        [Reply(503, json={"message": "Maintenance"}, headers={"Retry-After": "600"})], retry=retry
    )
    with pytest.raises(RateLimited) as info:
        client.servers.list()
    assert (info.value.status, info.value.retry_after, info.value.message) == (503, 600.0, "Maintenance")
    assert sleeper.waits == [] and len(adapter.requests) == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-4", 0.0), ("soon", None), ("", None), (None, None)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=0) == expected


def test_parse_retry_after_date_in_the_past_is_zero() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_get_is_retried_on_connection_errors_and_timeouts() -> None:
    retry, sleeper = policy(max_attempts=3)
    client, adapter = make_client(
        [
            Reply(raises=requests.ReadTimeout("read timed out")),
            Reply(raises=refused()),
            Reply(200, json=SERVER),
        ],
        retry=retry,
    )
    assert client.servers.get(5).id == 5
    assert len(adapter.requests) == 3
    assert len(sleeper.waits) == 2


def test_get_that_never_answers_raises_upstream_unavailable() -> None:
    retry, _ = policy(max_attempts=2)
    client, adapter = make_client([Reply(raises=requests.ConnectTimeout("connect timed out"))], retry=retry)
    with pytest.raises(UpstreamUnavailable) as info:
        client.servers.get(5)
    assert len(adapter.requests) == 2
    assert info.value.status is None
    assert info.value.operation_id == "servers_get"
    assert "timed out" in str(info.value)


def test_a_call_with_its_budget_spent_is_not_tried_again() -> None:
    retry, sleeper = policy(max_attempts=3, base=1.0, budget=0.5)  # the first wait (0.75 s) is past it
    client, adapter = make_client(
        [Reply(raises=requests.ReadTimeout("read timed out")), Reply(200, json=SERVER)], retry=retry
    )
    with pytest.raises(UpstreamUnavailable, match="timed out"):
        client.servers.get(5)
    assert len(adapter.requests) == 1
    assert sleeper.waits == []


def test_a_quick_failure_within_the_budget_is_still_retried() -> None:
    retry, sleeper = policy(max_attempts=2, base=1.0, budget=60.0)
    answers = [Reply(503, json={"message": "busy"}), Reply(200, json=SERVER)]
    client, adapter = make_client(answers, retry=retry)
    assert client.servers.get(5).id == 5
    assert len(adapter.requests) == 2
    assert sleeper.waits == [0.75]


@pytest.mark.parametrize(
    "failure",
    [
        requests.ReadTimeout("read timed out"),
        requests.ConnectionError("Connection aborted.", "RemoteDisconnected"),
        requests.exceptions.ChunkedEncodingError("connection broken"),
    ],
    ids=["read-timeout", "dropped", "broken-body"],
)
def test_writes_are_not_retried_once_the_request_may_have_arrived(failure: Exception) -> None:
    retry, sleeper = policy(max_attempts=5)
    client, adapter = make_client([Reply(raises=failure), Reply(200, json={})], retry=retry)
    with pytest.raises(UpstreamUnavailable):
        client.orders.pay(ids=[1])
    assert len(adapter.requests) == 1
    assert sleeper.waits == []


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_writes_are_not_retried_on_any_status(status: int) -> None:
    retry, sleeper = policy(max_attempts=5)
    client, adapter = make_client(
        [Reply(status, json={"message": "x"}, headers={"Retry-After": "1"})], retry=retry
    )
    with pytest.raises(VpsbgError) as info:
        client.servers.reinstall(5, image_id=73)
    assert len(adapter.requests) == 1
    assert sleeper.waits == []
    if status == 429:
        assert isinstance(info.value, RateLimited)
        assert info.value.retry_after == 1.0


def test_writes_are_retried_when_the_connection_was_never_made() -> None:
    retry, sleeper = policy(max_attempts=3)
    client, adapter = make_client(
        [Reply(raises=refused()), Reply(raises=requests.ConnectTimeout("connect")), Reply(200, json={})],
        retry=retry,
    )
    client.orders.pay(ids=[1])
    assert len(adapter.requests) == 3
    assert len(sleeper.waits) == 2


def test_retry_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base=-1)
    with pytest.raises(ValueError):
        RetryPolicy(budget=-1)


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (403, PermissionDenied),
        (404, NotFound),
        (422, ValidationError),
        (423, Locked),
        (429, RateLimited),
        (500, UpstreamError),
        (400, UpstreamError),
        (409, UpstreamError),
    ],
)
def test_status_codes_map_to_error_classes(status: int, cls: type[VpsbgError]) -> None:
    retry, _ = policy(max_attempts=1)
    client, _ = make_client([Reply(status, json={"message": f"provider says {status}"})], retry=retry)
    with pytest.raises(cls) as info:
        client.servers.start(5)
    assert isinstance(info.value, VpsbgError)
    assert info.value.status == status
    assert info.value.operation_id == "servers_start"
    assert info.value.message == f"provider says {status}"
    assert f"provider says {status}" in str(info.value)


def test_validation_error_keeps_field_messages() -> None:
    body = {
        "message": "The hostname field is required.",
        "errors": {"hostname": ["The hostname field is required."], "x": "single"},
    }
    client, _ = make_client([Reply(422, json=body)])
    with pytest.raises(ValidationError) as info:
        client.servers.update_hostname(5, hostname="")
    assert info.value.fields == {"hostname": ["The hostname field is required."], "x": ["single"]}
    assert "fields=" in repr(info.value)


def test_error_without_json_body_still_maps_status() -> None:
    client, _ = make_client([Reply(404, content=b"<html>nope</html>")])
    with pytest.raises(NotFound) as info:
        client.orders.get(9)
    assert "no JSON error body" in info.value.message


def test_malformed_json_on_success_is_an_upstream_error() -> None:
    client, _ = make_client([Reply(200, content=b"{not json", headers={"Content-Type": "application/json"})])
    with pytest.raises(UpstreamError, match="not JSON") as info:
        client.balance.get()
    assert info.value.status == 200


def test_answer_of_the_wrong_shape_is_an_upstream_error() -> None:
    client, _ = make_client([Reply(200, json={"id": "not-a-number"})])
    with pytest.raises(UpstreamError, match="does not match Server"):
        client.servers.get(5)
    client, _ = make_client([Reply(200, json="a string")])
    with pytest.raises(UpstreamError, match="expected a list"):
        client.servers.list()


def test_request_id_is_kept_on_errors() -> None:
    client, _ = make_client([Reply(423, json={"message": "locked"}, headers={"X-Request-ID": "req-42"})])
    with pytest.raises(Locked) as info:
        client.servers.reinstall(5, image_id=1)
    assert info.value.request_id == "req-42"


def test_all_errors_are_exported_from_the_package() -> None:
    for name in (
        "VpsbgError",
        "AuthenticationError",
        "PermissionDenied",
        "NotFound",
        "ValidationError",
        "Locked",
        "RateLimited",
        "UpstreamError",
        "UpstreamUnavailable",
    ):
        assert issubclass(getattr(vpsbg_api, name), VpsbgError)


# -- the token never leaks ---------------------------------------------------------------------------


def test_token_never_appears_in_errors_hook_events_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    events: list[CallEvent] = []
    echo = {"message": f"bad token {TOKEN}", "errors": {"token": [f"{TOKEN} is revoked"]}}
    retry, _ = policy(max_attempts=1)
    client, _ = make_client([Reply(422, json=echo)], hook=events.append, retry=retry)
    caplog.set_level(logging.DEBUG, logger="vpsbg_api")
    with pytest.raises(ValidationError) as info:
        client.ssh_keys.create(name="k", key="ssh-ed25519 AAAA")
    err = info.value
    for text in (str(err), repr(err), err.message, repr(err.fields), repr(events), caplog.text):
        assert TOKEN not in text
    assert "[redacted]" in err.message
    client2, _ = make_client(
        [Reply(raises=requests.ConnectionError(f"proxy said {TOKEN}"))], retry=retry, hook=events.append
    )
    with pytest.raises(UpstreamUnavailable) as info2:
        client2.user.get()
    assert TOKEN not in str(info2.value) and TOKEN not in repr(info2.value)
    assert TOKEN not in repr(events) and TOKEN not in caplog.text


# -- hook and logging --------------------------------------------------------------------------------


def test_hook_receives_one_event_per_call_after_retries() -> None:
    events: list[CallEvent] = []
    retry, _ = policy(max_attempts=3)
    client, _ = make_client([Reply(503), Reply(200, json=SERVER)], hook=events.append, retry=retry)
    client.servers.get(5)
    assert len(events) == 1
    event = events[0]
    assert (event.operation_id, event.method, event.path, event.status, event.error) == (
        "servers_get",
        "GET",
        "/servers/5",
        200,
        None,
    )
    assert event.attempts == 2
    assert event.duration_s >= 0


def test_hook_receives_the_error_of_a_failed_call() -> None:
    events: list[CallEvent] = []
    client, _ = make_client([Reply(404, json={"message": "No query results"})], hook=events.append)
    with pytest.raises(NotFound):
        client.orders.get(1)
    assert isinstance(events[0].error, NotFound)
    assert events[0].status == 404


def test_a_failing_hook_does_not_break_the_call(caplog: pytest.LogCaptureFixture) -> None:
    def broken(event: CallEvent) -> None:
        raise RuntimeError("hook bug")

    client, _ = make_client([Reply(200, json=SERVER)], hook=broken)
    assert client.servers.get(5).id == 5
    assert "hook failed" in caplog.text


def test_calls_are_logged_on_the_vpsbg_api_logger(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="vpsbg_api")
    client, _ = make_client([Reply(200, json=SERVER)])
    client.servers.get(5)
    record = caplog.records[-1]
    assert record.name == "vpsbg_api"
    assert "servers_get GET /servers/5 -> 200" in record.getMessage()
