"""A page keeps the JSON it was read from; an unread page is validated later, once, as `list` would.

The cache stores that JSON instead of encoding the models again, and the team-wide list validates
unread pages on one thread; neither may change what a caller gets.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from vpsbg_api import UpstreamError
from vpsbg_api.models import Server
from vpsbg_api.results import Page

from .fakes import Reply, make_client

ENVELOPE = {
    "data": [{"id": 1, "hostname": "a.example", "unknown_field": "ignored"}, {"id": 2}],
    "links": {"next": None},
    "meta": {"current_page": 1, "last_page": 1, "per_page": 50, "total": 2},
}


def test_a_usual_answer_keeps_its_json_and_reads_back_equal() -> None:
    client, _ = make_client([Reply(200, json=ENVELOPE)])
    page = client.servers.list()
    assert page.raw == json.dumps(ENVELOPE).encode()
    again = Page.from_json(Server, page.raw)
    assert again == page and again.items[0].hostname == "a.example" and again.meta == page.meta


@pytest.mark.parametrize(
    "body", [[{"id": 1}], {"data": [{"id": 1}], "meta": "odd"}], ids=["bare", "odd meta"]
)
def test_an_answer_of_another_shape_has_no_json_to_keep(body) -> None:
    client, _ = make_client([Reply(200, json=body)])
    page = client.servers.list()
    assert [s.id for s in page] == [1] and page.raw is None


def test_the_json_is_no_field_of_the_page() -> None:
    page = Page.from_json(Server, json.dumps(ENVELOPE).encode())
    assert page.raw and page == Page(items=page.items, meta=page.meta, links=page.links)
    assert "raw" not in repr(page) and "unknown_field" not in repr(page)
    assert [f.name for f in dataclasses.fields(page)] == ["items", "meta", "links"]
    assert Page(items=[]).raw is None


def test_an_unread_page_reads_as_list_does_and_only_once() -> None:
    client, adapter = make_client([Reply(200, json=ENVELOPE)])
    unread = client.servers.list_unread(per_page=50)
    assert len(adapter.requests) == 1 and "unread" in repr(unread)
    page = unread.read()
    assert page == client.servers.list(per_page=50)
    assert unread.read() is page and "read" in repr(unread)


def test_an_unread_malformed_answer_raises_when_read_as_list_would() -> None:
    client, _ = make_client([Reply(200, content=b'{"data": [{"id": 1, "hostname": ')])
    unread = client.servers.list_unread()  # the HTTP part succeeded
    with pytest.raises(UpstreamError) as caught:
        unread.read()
    assert "not JSON" in caught.value.message
    with pytest.raises(UpstreamError):
        client.servers.list()
