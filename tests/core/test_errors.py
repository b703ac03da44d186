"""Users see friendly error pages with the right status, API clients one JSON shape; never a trace."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls_errors")]

EXPECTED = {
    "not-allowed": (403, "not_allowed", "You are not allowed to do this."),
    "not-found": (404, "not_found", "No server with this id in your team."),
    "invalid": (422, "invalid", "Please correct the errors below."),
    "busy": (423, "busy", "This server is busy with another operation"),
    "rate-limited": (429, "rate_limited", "Too many requests"),
    "upstream": (503, "upstream_unavailable", "VPSBG is not answering right now"),
}


@pytest.mark.parametrize("kind", EXPECTED)
def test_panel_error_is_a_friendly_page(client, kind) -> None:
    status, _code, message = EXPECTED[kind]
    response = client.get(f"/raise/{kind}/")
    html = response.content.decode()
    assert response.status_code == status
    assert message in html
    assert "Traceback" not in html and "raise_panel_error" not in html
    assert response["X-Request-ID"] in html  # the reference a user can give to support
    assert 'href="/"' in html  # a way back


@pytest.mark.parametrize("kind", EXPECTED)
def test_panel_error_under_api_is_json(client, kind) -> None:
    status, code, message = EXPECTED[kind]
    response = client.get(f"/api/raise/{kind}/")
    body = response.json()
    assert response.status_code == status
    assert body["error"]["code"] == code
    assert body["error"]["message"].startswith(message)
    assert isinstance(body["error"]["fields"], dict)


def test_invalid_input_lists_field_errors(client) -> None:
    page = client.get("/raise/invalid/").content.decode()
    assert "<strong>hostname</strong>: Use letters, digits and dashes." in page
    body = client.get("/api/raise/invalid/").json()
    assert body["error"]["fields"] == {"hostname": ["Use letters, digits and dashes."], "": ["Bad"]}


def test_rate_limited_says_when_to_retry(client) -> None:
    assert client.get("/raise/rate-limited/")["Retry-After"] == "30"
    response = client.get("/api/raise/rate-limited/")
    assert response["Retry-After"] == "30" and response.json()["error"]["retry_after"] == 30


def test_unknown_page_is_a_friendly_404(client) -> None:
    response = client.get("/does/not/exist/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert client.get("/api/does-not-exist/").json()["error"]["code"] == "not_found"


def test_a_bug_is_a_500_page_without_internals(client) -> None:
    client.raise_request_exception = False
    response = client.get("/crash/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    for leak in ("secret internals", "abc123", "Traceback", "/srv/panel"):
        assert leak not in html
    api = client.get("/api/crash/")
    assert api.status_code == 500 and api.json()["error"]["code"] == "server_error"


def test_permission_denied_is_a_friendly_403(client) -> None:
    response = client.get("/denied/")
    assert (
        response.status_code == 403 and "You are not allowed to see this page." in response.content.decode()
    )


def test_bad_host_is_a_friendly_400(client) -> None:
    response = client.get("/healthz/live", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


def test_expired_csrf_token_is_a_friendly_403() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/raise/busy/", {"x": "1"})
    assert response.status_code == 403
    assert "Reload the page and try again" in response.content.decode()


def test_drf_validation_errors_use_the_panel_shape(client) -> None:
    response = client.post(
        "/api/drf/validate/", {"hostname": "far-too-long"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Please correct the errors.",
            "fields": {"hostname": ["Ensure this field has no more than 5 characters."]},
        }
    }


def test_drf_views_render_panel_errors_and_throttling(client) -> None:
    busy = client.get("/api/drf/busy/")
    assert busy.status_code == 423 and busy.json()["error"]["code"] == "busy"
    throttled = client.get("/api/drf/throttled/")
    assert throttled.status_code == 429 and throttled["Retry-After"] == "12"
    assert throttled.json()["error"]["code"] == "throttled"


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/does-not-exist", 404),
        ("put", "/api/nowhere/", 404),
        ("post", "/api/schema/", 405),
        ("post", "/api/docs/", 405),
    ],
)
def test_api_404_and_405_are_json_in_every_mode(client, settings, debug, method, path, status) -> None:
    """An API client gets the one error body even from DEBUG's 404 page or an HTML/YAML view."""
    settings.DEBUG = debug
    response = getattr(client, method)(path, HTTP_ACCEPT="text/html,*/*")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] in {"not_found", "method_not_allowed"} and error["message"]
    if status == 405:
        assert "GET" in response["Allow"]
