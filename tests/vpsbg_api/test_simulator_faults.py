"""Fault injection (Python API and admin endpoint) and rate limiting."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from vpsbg_api.simulator.faults import parse_fault_spec
from vpsbg_api.simulator.testing import RunningSimulator, requests_meet, running_simulator


def get(sim: RunningSimulator, path: str = "/servers/2864", **kwargs) -> requests.Response:
    return requests.get(
        sim.base_url + path, headers=sim.headers(), timeout=kwargs.pop("timeout", 5), **kwargs
    )


def test_error_status_for_one_operation_only(simulator: RunningSimulator) -> None:
    simulator.sim.faults.add(operation="servers_get", status=503)
    r = get(simulator)
    assert r.status_code == 503 and r.json()["message"]
    assert get(simulator, "/servers").status_code == 200


def test_count_limits_the_fault(simulator: RunningSimulator) -> None:
    simulator.sim.faults.add(status=500, count=2)
    assert [get(simulator).status_code for _ in range(3)] == [500, 500, 200]


def test_rate_zero_never_fires(simulator: RunningSimulator) -> None:
    simulator.sim.faults.add(status=500, rate=0.0)
    assert get(simulator).status_code == 200


def test_latency(simulator: RunningSimulator) -> None:
    simulator.sim.faults.add(latency=0.2)
    start = time.monotonic()
    assert get(simulator).status_code == 200
    assert time.monotonic() - start >= 0.2


def test_timeout_hangs_until_the_client_gives_up(simulator: RunningSimulator) -> None:
    simulator.sim.faults.add(operation="servers_get", timeout=True, count=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        get(simulator, timeout=0.3)
    assert get(simulator).status_code == 200


def test_dropped_connection(simulator: RunningSimulator) -> None:
    simulator.sim.faults.add(drop=True, count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        get(simulator)
    assert get(simulator).status_code == 200


def test_malformed_json(simulator: RunningSimulator) -> None:
    simulator.sim.faults.add(malformed=True, count=1)
    r = get(simulator)
    assert r.status_code == 200
    with pytest.raises(requests.exceptions.JSONDecodeError):
        r.json()


def test_admin_endpoint_adds_and_clears_faults_and_moves_the_clock(simulator: RunningSimulator) -> None:
    admin = simulator.base_url.removesuffix("/v1") + "/_admin"
    r = requests.post(admin + "/faults", json={"operation": "servers_get", "status": 429}, timeout=5)
    assert r.status_code == 201
    limited = get(simulator)
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert requests.delete(admin + "/faults", timeout=5).status_code == 204
    assert get(simulator).status_code == 200
    bad = requests.post(admin + "/faults", json={"status": "x"}, timeout=5)
    assert bad.status_code == 422
    before = simulator.sim.clock.now()
    assert requests.post(admin + "/clock", json={"advance": 30}, timeout=5).json()["now"] == before + 30


def test_fault_spec_parsing() -> None:
    assert parse_fault_spec("operation=servers_get,status=503,rate=0.5,count=2") == {
        "operation": "servers_get",
        "status": 503,
        "rate": 0.5,
        "count": 2,
    }
    assert parse_fault_spec("drop") == {"drop": True}
    with pytest.raises(ValueError):
        parse_fault_spec("colour=red")


def test_rate_limit_headers_and_429() -> None:
    with running_simulator(rate_limit=3) as sim:
        responses = [get(sim) for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        assert responses[0].headers["X-RateLimit-Limit"] == "3"
        assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
        assert int(responses[3].headers["Retry-After"]) >= 1
        # Another token has its own budget; the next minute starts afresh.
        assert (
            requests.get(sim.base_url + "/servers", headers=sim.headers("beta_rw"), timeout=5).status_code
            == 200
        )
        sim.advance(60)
        assert get(sim).status_code == 200


def test_rate_limit_is_off_by_default(simulator: RunningSimulator) -> None:
    assert "X-RateLimit-Limit" not in get(simulator).headers


def test_keep_alive_reuses_the_connection(simulator: RunningSimulator) -> None:
    session = requests.Session()
    for _ in range(3):
        r = session.get(simulator.base_url + "/servers", headers=simulator.headers(), timeout=5)
        assert r.status_code == 200
    pools = session.adapters["http://"].poolmanager.pools
    pool = pools[next(iter(pools.keys()))]
    assert pool.num_connections == 1


def test_requests_meet_answers_calls_side_by_side_and_refuses_a_lone_one(simulator: RunningSimulator) -> None:
    with requests_meet("servers_get", 2, timeout=0.5):
        lone = get(simulator)
    assert lone.status_code == 504 and lone.json()["message"]
    with requests_meet("servers_get", 2), ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: get(simulator, timeout=60).status_code, range(2)))
    assert answers == [200, 200]
    assert get(simulator).status_code == 200  # outside the block nothing waits
