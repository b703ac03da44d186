"""`manage.py coverage_report` finds coverage by introspection: client, services, URL conf."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from panel.services import registry


def _report() -> list[str]:
    out = StringIO()
    call_command("coverage_report", stdout=out)
    return out.getvalue().splitlines()


def test_every_operation_of_the_reference_has_a_registered_service() -> None:
    services = registry.load_all()
    assert set(services) == set(registry.spec_operations()) == set(registry.client_operations())
    assert len(services) == 115
    for op, func in services.items():
        assert func.__name__ == op and func.__doc__


def test_report_has_one_line_per_operation_and_sums_each_column() -> None:
    lines = _report()
    assert len(lines) == 116
    # the web column grows with the web pages; the panel API reaches every operation (panel/api)
    assert re.fullmatch(r"client 115/115, services 115/115, web \d+/115, api 115/115", lines[-1])
    reinstall = next(line for line in lines if line.startswith("servers_reinstall "))
    assert reinstall.split()[:5] == ["servers_reinstall", "client", "yes", "services", "yes"]
    assert reinstall.split()[-2:] == ["api", "yes"]


@override_settings(ROOT_URLCONF="tests.services.urls_coverage")
def test_views_declaring_operation_ids_count_for_web_or_api() -> None:
    lines = _report()
    assert lines[-1] == "client 115/115, services 115/115, web 4/115, api 1/115"
    start = next(line for line in lines if line.startswith("servers_start "))
    assert start.split()[-4:] == ["web", "yes", "api", "no"]
    listing = next(line for line in lines if line.startswith("servers_list "))
    assert listing.split()[-4:] == ["web", "no", "api", "yes"]


def test_reaches_refuses_a_name_that_is_not_an_operation() -> None:
    with pytest.raises(ValueError, match="servers_explode"):
        registry.reaches("servers_explode")


def test_a_view_declaring_an_unknown_operation_fails_the_report(monkeypatch) -> None:
    from tests.services import urls_coverage

    monkeypatch.setattr(urls_coverage.ServerPower, "operation_ids", ("servers_start", "servers_teleport"))
    with (
        override_settings(ROOT_URLCONF="tests.services.urls_coverage"),
        pytest.raises(CommandError, match="servers_teleport"),
    ):
        _report()
