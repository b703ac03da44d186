"""What the client hands back: pages and lazy walks, downloads, uploads, tolerant models."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from vpsbg_api import Download, Page, is_verified
from vpsbg_api.models import Balance, Server
from vpsbg_api.results import filename_from_disposition

from .fakes import Reply, make_client


def server(n: int) -> dict[str, Any]:
    return {"id": n, "hostname": f"web-{n}", "status": "active", "locked": False}


def page_of(numbers: list[int], current: int, last: int, per_page: int = 2) -> dict[str, Any]:
    return {
        "data": [server(n) for n in numbers],
        "links": {"first": "f", "last": "l", "prev": None, "next": None if current == last else "n"},
        "meta": {
            "current_page": current,
            "last_page": last,
            "per_page": per_page,
            "total": 5,
            "from": 1,
            "to": 2,
        },
    }


def test_list_returns_a_page_with_meta() -> None:
    client, adapter = make_client([Reply(200, json=page_of([1, 2], 1, 3))])
    page = client.servers.list(page=1, per_page=2, status="active", sort_created_at="desc")
    assert isinstance(page, Page)
    assert [s.hostname for s in page] == ["web-1", "web-2"]
    assert (page.current_page, page.last_page, page.per_page, page.total, page.has_next) == (1, 3, 2, 5, True)
    assert page.meta is not None and page.meta.from_ == 1
    query = parse_qs(urlsplit(adapter.last.url).query)
    assert query == {
        "page": ["1"],
        "per_page": ["2"],
        "filter[status]": ["active"],
        "sort[created_at]": ["desc"],
    }


def test_iter_all_walks_three_pages_lazily_and_stops_on_the_last() -> None:
    client, adapter = make_client(
        [
            Reply(200, json=page_of([1, 2], 1, 3)),
            Reply(200, json=page_of([3, 4], 2, 3)),
            Reply(200, json=page_of([5], 3, 3)),
        ]
    )
    walk = client.servers.iter_all(per_page=2, search="web")
    assert adapter.requests == []  # nothing fetched before the first item is asked for
    assert next(walk).id == 1
    assert len(adapter.requests) == 1
    assert [s.id for s in walk] == [2, 3, 4, 5]
    assert len(adapter.requests) == 3
    pages = [parse_qs(urlsplit(r.url).query) for r in adapter.requests]
    assert [p["page"] for p in pages] == [["1"], ["2"], ["3"]]
    assert all(p["per_page"] == ["2"] and p["filter[search]"] == ["web"] for p in pages)


def test_iter_all_stops_on_an_empty_page_even_if_meta_says_more() -> None:
    client, adapter = make_client([Reply(200, json=page_of([1], 1, 9)), Reply(200, json=page_of([], 2, 9))])
    assert [s.id for s in client.servers.iter_all()] == [1]
    assert len(adapter.requests) == 2


def test_list_tolerates_data_without_meta_and_bare_arrays() -> None:
    client, _ = make_client([Reply(200, json={"data": [{"id": 1, "name": "ubuntu.iso"}]})])
    page = client.isos.list()
    assert page.meta is None and page.total == 1 and not page.has_next
    assert page.items[0].name == "ubuntu.iso"
    client, _ = make_client([Reply(200, json=[{"code": "fall2403", "percentage": 10}])])
    promos = client.plans.promo_codes(104)
    assert isinstance(promos, list) and promos[0].code == "fall2403"
    client, _ = make_client([Reply(200, json=[server(1)])])
    assert [s.id for s in client.servers.list()] == [1]


def test_iter_all_on_a_list_without_meta_fetches_once() -> None:
    client, adapter = make_client([Reply(200, json={"data": [{"id": 1}, {"id": 2}]})])
    assert len(list(client.ssh_keys.iter_all())) == 2
    assert len(adapter.requests) == 1


def test_download_returns_bytes_type_and_filename() -> None:
    pdf = b"%PDF-1.4 fake"
    client, adapter = make_client(
        [
            Reply(
                200,
                content=pdf,
                headers={
                    "Content-Type": "application/pdf",
                    "Content-Disposition": 'attachment; filename="invoice-8552.pdf"',
                },
            )
        ]
    )
    got = client.invoices.download(8552)
    assert isinstance(got, Download)
    assert (got.content, got.content_type, got.filename, got.size) == (
        pdf,
        "application/pdf",
        "invoice-8552.pdf",
        len(pdf),
    )
    assert adapter.last.method == "POST" and adapter.last.path_url == "/v1/invoices/8552/download"


def test_attachment_download_without_disposition_has_no_filename() -> None:
    client, _ = make_client(
        [Reply(200, content=b"PNG", headers={"Content-Type": "image/png; charset=binary"})]
    )
    got = client.support.tickets_attachment_download(133, 5)
    assert (got.content, got.content_type, got.filename) == (b"PNG", "image/png", None)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="a.pdf"', "a.pdf"),
        ("attachment; filename*=UTF-8''%D1%84%D0%B0%D0%BA%D1%82%D1%83%D1%80%D0%B0.pdf", "фактура.pdf"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ("inline", None),
        (None, None),
    ],
)
def test_filename_from_content_disposition(header: str | None, name: str | None) -> None:
    assert filename_from_disposition(header) == name


def test_ticket_with_attachments_is_sent_as_multipart() -> None:
    client, adapter = make_client([Reply(200, json={"id": 133, "subject": "Help"})])
    ticket = client.support.tickets_create(
        department_id=2,
        subject="Help",
        message="<p>It broke</p>",
        attachments=[("shot.png", b"\x89PNG", "image/png"), io.BytesIO(b"log lines")],
    )
    assert ticket.id == 133
    sent = adapter.last
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    body = sent.body
    assert isinstance(body, bytes)
    assert b'name="department_id"\r\n\r\n2\r\n' in body
    assert b'name="attachments[]"; filename="shot.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG' in body
    assert b"log lines" in body
    assert b'name="service_id"' not in body  # None is not sent


def test_attachments_may_be_a_tuple_of_files_or_one_named_file() -> None:
    client, adapter = make_client([Reply(200, json={"id": 1})])
    client.support.tickets_reply(1, message="m", attachments=(b"one", b"two"))
    assert adapter.last.body.count(b'name="attachments[]"') == 2  # type: ignore[union-attr]
    client.support.tickets_reply(1, message="m", attachments=("notes.txt", b"three"))  # type: ignore[arg-type]
    assert adapter.last.body.count(b'filename="notes.txt"') == 1  # type: ignore[union-attr]


def test_upload_without_files_still_travels_as_multipart() -> None:
    client, adapter = make_client([Reply(200, json={"id": 1, "messages": []})])
    client.support.tickets_reply(133, message="thanks")
    assert adapter.last.headers["Content-Type"].startswith("multipart/form-data")
    assert b"thanks" in adapter.last.body  # type: ignore[operator]


def test_measured_boot_upload_sends_the_file(tmp_path: Any) -> None:
    image = tmp_path / "kernel.efi"
    image.write_bytes(b"UKI")
    client, adapter = make_client([Reply(200, json={"id": 9, "name": "kernel.efi"})])
    with image.open("rb") as fh:
        result = client.measured_boot.images_upload(file=fh)
    assert result.id == 9
    assert b'name="file"; filename="kernel.efi"' in adapter.last.body  # type: ignore[operator]


def test_upload_refuses_a_text_mode_file(tmp_path: Any) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    client, adapter = make_client()
    with path.open("r") as fh, pytest.raises(TypeError, match="binary"):
        client.measured_boot.images_upload(file=fh)  # type: ignore[arg-type]
    assert adapter.requests == []


def test_unknown_fields_are_ignored_and_missing_optional_ones_are_none() -> None:
    client, _ = make_client(
        [Reply(200, json={**server(7), "brand_new_field": {"x": 1}, "state": {"running": True}})]
    )
    got = client.servers.get(7)
    assert isinstance(got, Server)
    assert not hasattr(got, "brand_new_field")
    assert got.state is not None and got.state.running is True
    assert got.plan is None and got.ip_addresses is None and got.expiry_at is None


def test_balance_example_shape_parses() -> None:
    client, _ = make_client([Reply(200, json={"balance": 3476.06, "estimated_funds": 30, "currency": "EUR"})])
    got = client.balance.get()
    assert isinstance(got, Balance)
    assert (got.balance, got.currency, got.balance_limit) == (3476.06, "EUR", None)


def test_enveloped_single_object_is_unwrapped() -> None:
    client, _ = make_client([Reply(200, json={"data": server(3)})])
    assert client.servers.get(3).hostname == "web-3"
    client, _ = make_client([Reply(200, json={"data": {"balance": 12.5, "currency": "EUR"}})])
    assert client.balance.get().balance == 12.5


def test_operations_without_a_described_answer_return_the_json() -> None:
    client, _ = make_client([Reply(200, json={"ok": True})])
    assert client.servers.reinstall(5, image_id=1) == {"ok": True}
    client, _ = make_client([Reply(204)])
    assert client.servers.start(5) is None


def test_is_verified_follows_the_reference() -> None:
    assert is_verified("servers_get") is True
    assert is_verified("servers_reinstall") is False
    with pytest.raises(KeyError, match="unknown"):
        is_verified("servers_teleport")
