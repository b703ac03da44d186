"""The OpenAPI document, its documentation page, and `coverage_report`."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_with_every_operation(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"servers_reinstall", "servers_list", "team_servers_list", "orders_pay"} <= operation_ids
    reinstall = schema["paths"]["/api/v1/servers/{server}/reinstall"]["post"]
    assert "202" in reinstall["responses"] and "423" in reinstall["responses"]
    assert schema["components"]["securitySchemes"]["PanelToken"]["scheme"] == "bearer"
    assert "VpsbgServer" in schema["components"]["schemas"]


def test_the_docs_page_needs_no_cdn_and_no_inline_script(client: Client) -> None:
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<script>" not in html and "<style>" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()
    assets = [s for s in sources if s.startswith(settings.STATIC_URL)]
    assert len(assets) >= 3
    for asset in assets:  # served by whitenoise from the installed sidecar package
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset


def test_coverage_report_shows_every_operation_reached_by_the_api() -> None:
    out = StringIO()
    call_command("coverage_report", stdout=out)
    assert "api 115/115" in out.getvalue().splitlines()[-1]
