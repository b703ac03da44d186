"""Typed calls: every operation is a marked client method, and a call to one is a value run later."""

from __future__ import annotations

import pytest

from vpsbg_api import METHODS, ROUTES, CallEvent, PendingCall, call, operation_id_of
from vpsbg_api.areas import AREAS, ServersArea
from vpsbg_api.errors import UpstreamError
from vpsbg_api.models import Server

from .fakes import Reply, make_client
from .test_client_contract import case


def method_for(operation_id: str):
    area, name = METHODS[operation_id]
    return getattr(AREAS[area], name)


def test_every_operation_of_the_reference_is_one_marked_method() -> None:
    assert set(METHODS) == set(ROUTES)
    assert len(METHODS) == 115
    for operation_id in METHODS:
        method = method_for(operation_id)
        assert operation_id_of(method) == operation_id
        assert method.area == METHODS[operation_id][0]


@pytest.mark.parametrize("operation_id", sorted(METHODS))
def test_a_typed_call_sends_the_operation_its_method_is_marked_with(operation_id: str) -> None:
    """The mark is what the panel audits and authorises: it must be what the method sends."""
    heard: list[CallEvent] = []
    client, adapter = make_client(lambda request: Reply(204))
    client.hook = heard.append
    pending = call(method_for(operation_id), **case(operation_id)[0])
    assert pending.operation_id == operation_id
    try:
        pending(client)
    except UpstreamError:
        pass  # the empty answer may not fit the result model: only the request matters here
    assert [event.operation_id for event in heard] == [operation_id]
    assert len(adapter.requests) == 1


def test_a_typed_call_keeps_its_arguments_by_name_and_returns_the_typed_result() -> None:
    client, adapter = make_client([Reply(200, json={"id": 5, "hostname": "web-1"})])
    pending = call(ServersArea.get, 5, include=["ips"])
    assert pending.arguments == {"id": 5, "include": ["ips"]}
    assert pending.name == "servers.get"
    server = pending(client)
    assert isinstance(server, Server) and server.hostname == "web-1"
    assert adapter.last.path_url.startswith("/v1/servers/5")


def test_a_variant_is_marked_with_its_operation_but_is_not_the_operations_method() -> None:
    assert operation_id_of(ServersArea.list_unread) == "servers_list"
    assert METHODS["servers_list"] == ("servers", "list")


def test_wrong_arguments_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(TypeError):
        call(ServersArea.reinstall, 5, image=7)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="missing required argument"):
        call(ServersArea.get)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="positional"):
        call(ServersArea.get, 5, ["ips"])  # type: ignore[misc]
    with pytest.raises(TypeError, match="multiple values"):
        call(ServersArea.get, 5, id=6)  # type: ignore[misc]
    with pytest.raises(TypeError, match="unexpected keyword argument 'image'"):
        call(ServersArea.reinstall, 5, image=7)  # type: ignore[call-arg]


def test_only_operation_methods_can_be_called_this_way() -> None:
    with pytest.raises(TypeError, match="not an operation"):
        call(ServersArea.iter_all)
    with pytest.raises(TypeError, match="not an operation"):
        operation_id_of(len)


def test_a_pending_call_never_shows_its_values() -> None:
    pending: PendingCall[object] = call(ServersArea.change_password, 5, password="hunter2-secret")
    assert "hunter2" not in repr(pending)
    assert "servers_change_password" in repr(pending) and "password" in repr(pending)
