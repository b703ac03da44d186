"""A panel API request waits for a hung VPSBG no longer than a page does (`VPSBG_PAGE_TIMEOUT`)."""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role

from .conftest import ALPHA

pytestmark = pytest.mark.django_db


def test_a_read_from_a_hung_vpsbg_is_a_clear_503_not_a_500(api, vault, simulator, settings) -> None:
    settings.VPSBG_PAGE_TIMEOUT = 0.4
    settings.VPSBG_API_TIMEOUT = 30.0
    simulator.sim.faults.add(timeout=True)
    response = api(Role.VIEWER).get(f"/api/v1/servers/{ALPHA}:2864")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert "VPSBG unavailable (no answer)" in response.json()["error"]["message"]
