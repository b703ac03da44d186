"""The simulator's fast paths answer exactly what the slow ones do, and a change is seen at once.

Encoding uses pydantic-core; the opt-in render cache keeps listed servers' JSON until a write,
a completed long action or the next metrics window; several processes may share one port.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from vpsbg_api.simulator import Simulator
from vpsbg_api.simulator.encoding import encode_json
from vpsbg_api.simulator.testing import RunningSimulator, running_simulator, simulator_fixture


def api(sim: RunningSimulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, sim.base_url + path, headers=sim.headers("alpha_rw"), timeout=5, **kwargs)


def listing(sim: RunningSimulator, **params: Any) -> dict[str, Any]:
    response = api(sim, "GET", "/servers", params={"per_page": 50, **params})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def cached() -> Iterator[RunningSimulator]:
    with simulator_fixture(cache_renders=True) as running:
        yield running


def test_the_encoder_writes_the_same_json_as_the_standard_library() -> None:
    body = {"data": [{"id": 1, "name": "Zoë €", "price": 22.33, "tiny": 1e-05, "none": None}], "n": (1, 2)}
    assert json.loads(encode_json(body)) == json.loads(json.dumps(body))
    assert "Zoë €".encode() in encode_json(body)  # UTF-8, not \u escapes


def test_the_encoder_defers_to_the_standard_library_for_what_it_refuses() -> None:
    with pytest.raises(TypeError):
        encode_json({"x": object()})  # as json.dumps always did: a 500 with a message upstream


def test_a_cached_listing_is_the_same_as_a_fresh_one(
    simulator: RunningSimulator, cached: RunningSimulator
) -> None:
    fresh = listing(simulator, page=1, per_page=3)
    first, second = listing(cached, page=1, per_page=3), listing(cached, page=1, per_page=3)
    port = cached.base_url.rsplit(":", 1)[1]
    same_host = json.loads(json.dumps(fresh).replace(simulator.base_url.rsplit(":", 1)[1], port))
    assert first == second == same_host
    assert list(first) == ["data", "links", "meta"]


def test_a_rename_shows_in_the_next_cached_listing(cached: RunningSimulator) -> None:
    listing(cached)
    renamed = api(cached, "PUT", "/servers/2864/hostname", json={"hostname": "renamed.example.com"})
    assert renamed.status_code < 300
    hostnames = {s["id"]: s["hostname"] for s in listing(cached)["data"]}
    assert hostnames[2864] == "renamed.example.com"


def test_a_finished_action_shows_in_the_next_cached_listing(cached: RunningSimulator) -> None:
    body = {"image_id": 80, "password": "correct-horse"}
    started = api(cached, "POST", "/servers/2864/reinstall", json=body)
    assert started.status_code == 200
    locked = {s["id"]: s for s in listing(cached)["data"]}[2864]
    assert locked["locked"] is True and locked["state"]["running"] is False
    cached.advance(5)
    done = {s["id"]: s for s in listing(cached)["data"]}[2864]
    assert done["locked"] is False and done["server_image"]["name"] == "Debian 12"
    assert done["state"]["running"] is True


def test_the_metrics_of_a_cached_listing_move_with_the_clock(cached: RunningSimulator) -> None:
    before = [s["state"] for s in listing(cached)["data"]]
    cached.advance(300)
    assert [s["state"] for s in listing(cached)["data"]] != before


def test_a_refused_write_still_starts_a_new_generation(cached: RunningSimulator) -> None:
    generation = cached.sim.state.generation
    assert api(cached, "PUT", "/servers/2864/hostname", json={"hostname": "not a name"}).status_code == 422
    assert cached.sim.state.generation == generation + 1


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT")
def test_two_simulators_may_share_a_port_for_read_only_loads() -> None:
    first = Simulator(seed="demo")
    base_url = first.start("127.0.0.1", 0, reuse_port=True)
    port = int(base_url.rsplit(":", 1)[1].split("/")[0])
    second = Simulator(seed="demo")
    try:
        assert second.start("127.0.0.1", port, reuse_port=True) == base_url
        with running_simulator() as other, pytest.raises(OSError):
            Simulator(seed="demo").start("127.0.0.1", int(other.base_url.rsplit(":", 1)[1].split("/")[0]))
    finally:
        second.stop()
        first.stop()


def test_a_python_side_edit_needs_the_cache_cleared(cached: RunningSimulator) -> None:
    listing(cached)
    cached.sim.state.coll("servers")["2864"]["hostname"] = "edited.example.com"
    assert {s["id"]: s["hostname"] for s in listing(cached)["data"]}[2864] != "edited.example.com"
    assert cached.sim.render_cache is not None
    cached.sim.render_cache.clear()
    assert {s["id"]: s["hostname"] for s in listing(cached)["data"]}[2864] == "edited.example.com"
