"""The shared cache keeps a list page as the JSON VPSBG sent, unless that JSON may hold a secret.

Encoding a thousand models again cost as much as validating them; the bytes that came in are
already the answer. Another process must still get equal typed pages, and a secret-looking field
the models leave out must never reach the shared cache.
"""

from __future__ import annotations

import pickle
from typing import Any

from django.core.cache import cache as django_cache

from panel.services import aggregates, servers
from panel.services import cache as service_cache
from vpsbg_api.models import Server
from vpsbg_api.results import Page

from .conftest import ALPHA


def _stored() -> list[Any]:
    """What the shared (local-memory) cache holds, unpickled."""
    return [pickle.loads(value) for value in django_cache._cache.values()]  # type: ignore[attr-defined]


def _kinds(value: Any) -> list[str]:
    if not isinstance(value, tuple) or not value or not isinstance(value[0], str):
        return []
    if value[0] == "pages":
        return [kind for part in value[1] for kind in _kinds(part)]
    return [value[0]]


def test_a_listed_page_is_stored_as_the_json_that_came_in(owner, tokens, simulator) -> None:
    page = servers.servers_list(actor=owner, account=ALPHA, per_page=5)
    assert page.raw is not None
    stored = [v for v in _stored() if _kinds(v) == ["page-json"]]
    assert len(stored) == 1 and stored[0][2] == page.raw


def test_another_process_gets_equal_pages_of_a_team_wide_list(owner, tokens, simulator) -> None:
    first = aggregates.servers_list_all(actor=owner)
    assert any(_kinds(v) and set(_kinds(v)) == {"page-json"} for v in _stored())
    service_cache.clear_local()  # as another worker process would
    simulator.sim.faults.add(operation="servers_list", status=503)
    again = aggregates.servers_list_all(actor=owner)
    assert again.complete and [s.server for s in again.items] == [s.server for s in first.items]


def test_the_live_copy_does_not_keep_the_json(owner, tokens, simulator) -> None:
    servers.servers_list(actor=owner, account=ALPHA, per_page=5)
    again = servers.servers_list(actor=owner, account=ALPHA, per_page=5)  # from this process's copy
    assert again.raw is None and again.items


def test_an_answer_with_a_secret_looking_field_is_stored_from_the_models(owner, tokens, simulator) -> None:
    real = simulator.sim.call

    def with_password(ctx: Any) -> Any:
        reply = real(ctx)
        if ctx.op.operation_id == "servers_list" and isinstance(reply.body, dict):
            for item in reply.body["data"]:
                item["root_password"] = "hunter2-never-cached"
        return reply

    simulator.sim.call = with_password  # type: ignore[method-assign]
    page = servers.servers_list(actor=owner, account=ALPHA, per_page=5)
    assert page.raw is not None and b"hunter2" in page.raw  # the client saw it ...
    kinds = [kind for value in _stored() for kind in _kinds(value)]
    assert kinds == ["page"]  # ... the shared cache holds only the models' fields
    assert b"hunter2" not in b"".join(django_cache._cache.values())  # type: ignore[attr-defined]
    service_cache.clear_local()
    assert servers.servers_list(actor=owner, account=ALPHA, per_page=5).items == page.items


def test_a_page_of_another_shape_is_stored_as_before() -> None:
    stored = service_cache._encode(Page(items=[Server(id=1, hostname="a.example")]))
    assert stored[0] == "page"
    assert service_cache._decode(stored) == Page(items=[Server(id=1, hostname="a.example")])
