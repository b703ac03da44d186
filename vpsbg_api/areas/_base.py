"""What every area shares: turning a method call into a request and its answer into a result."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import IO, TYPE_CHECKING, Any, TypeAlias, TypeVar
from urllib.parse import quote

import pydantic
import requests
from pydantic import TypeAdapter

from ..models import PaginationLinks, PaginationMeta
from ..results import Download, Page, UnreadPage, filename_from_disposition
from ..spec import ROUTES, Route

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["UNSET", "Area", "FileInput", "Unset"]

M = TypeVar("M")

FileInput: TypeAlias = bytes | IO[bytes] | tuple[str, bytes | IO[bytes]] | tuple[str, bytes | IO[bytes], str]
"""A file to upload: raw bytes, an open binary file, or (filename, content[, content type])."""


class Unset:
    """Marker for 'leave this field out' where `None` means 'send null' (e.g. unmount an ISO)."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = Unset()

_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _list_adapter(model: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        adapter = _ADAPTERS[model] = TypeAdapter(list[model])
    return adapter


_ENVELOPED = re.compile(rb'\s*\{\s*"data"\s*:\s*\{')  # `{"data": {...}}` around one object


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return [_query_value(v) for v in value]
    return value


def _file_tuple(field: str, value: FileInput) -> tuple[str, tuple[str, bytes] | tuple[str, bytes, str]]:
    """One multipart file part, read into memory so a (connect-phase) retry resends it whole."""
    name: str = field.rstrip("[]") or "file"
    ctype: str | None = None
    content: bytes | IO[bytes]
    if isinstance(value, tuple):
        if len(value) == 3:
            name, content, ctype = value
        else:
            name, content = value
    else:
        content = value
        name = getattr(value, "name", None) or name
    if not isinstance(content, bytes | bytearray):
        if not hasattr(content, "read"):
            raise TypeError(f"{field}: expected bytes, a binary file or a (name, content) tuple")
        content = content.read()
        if isinstance(content, str):
            raise TypeError(f"{field}: open the file in binary mode ('rb')")
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    return (field, (name, bytes(content), ctype) if ctype else (name, bytes(content)))


def _files_of(value: Any) -> list[FileInput]:
    """The files given for one field: one file, or a list/tuple of them.

    A tuple starting with a string is one file as `(filename, content[, content type])`.
    """
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def body(required: Mapping[str, Any], **optional: Any) -> dict[str, Any]:
    """A JSON body: the required fields as given (even None), the optional ones unless None/UNSET."""
    out = dict(required)
    for key, value in optional.items():
        if value is not None and value is not UNSET:
            out[key] = value
    return out


class Area:
    """Base of `client.<area>`: holds the client and does the work for every method."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    # -- request -----------------------------------------------------------------------------------

    def _send(
        self,
        operation_id: str,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        json: Any = None,
        form: Mapping[str, Any] | None = None,
        files: Mapping[str, FileInput | Sequence[FileInput] | None] | None = None,
    ) -> tuple[Route, requests.Response]:
        route = ROUTES[operation_id]
        rendered = route.path
        if route.path_params:
            values: dict[str, str] = {}
            for name in route.path_params:
                value = (path or {}).get(name)
                if value is None or value == "" or isinstance(value, bool):
                    raise ValueError(f"{operation_id}: path parameter {name!r} is required")
                values[name] = quote(str(value), safe="")
            rendered = rendered.format_map(values)
        params = None
        if query:
            params = {k: _query_value(v) for k, v in query.items() if v is not None}
        data = None
        parts: list[Any] | None = None
        if route.multipart:
            data = {k: _form_value(v) for k, v in (form or json or {}).items() if v is not None}
            parts = []
            for field, value in (files or {}).items():
                if value is None:
                    continue
                parts.extend(_file_tuple(field, v) for v in _files_of(value))
            json = None
            if not parts:
                # requests only builds multipart when a file part exists: add an empty one so the
                # body still travels as multipart/form-data, as the reference requires
                parts = [("_", ("", b""))]
        response = self._client.send(route, rendered, params=params, json=json, data=data, files=parts)
        return route, response

    # -- answers -----------------------------------------------------------------------------------

    def _payload(self, route: Route, response: requests.Response) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise self._client.malformed(response, route.operation_id, "body is not JSON") from None

    def _call(self, operation_id: str, *, model: Any = None, **request: Any) -> Any:
        """Perform `operation_id`; return `model` validated from the JSON answer.

        Without `model` the parsed JSON (or None for an empty answer) is returned as is: that is
        for operations whose answer the reference does not describe.
        """
        route, response = self._send(operation_id, **request)
        if model is not None and response.content and not _ENVELOPED.match(response.content):
            try:  # fast path: parse and validate in one pass, no intermediate dicts
                return model.model_validate_json(response.content)
            except pydantic.ValidationError:
                pass  # an envelope, bad JSON or a wrong shape: the tolerant path below decides
        payload = self._payload(route, response)
        if model is None:
            return payload
        if isinstance(payload, dict) and "data" in payload and isinstance(payload["data"], dict):
            payload = payload["data"]  # tolerate a {data: {...}} envelope around one object
        try:
            return model.model_validate(payload)
        except pydantic.ValidationError as exc:
            raise self._client.malformed(
                response, operation_id, f"does not match {model.__name__} ({exc.error_count()} problem(s))"
            ) from None

    def _read_page(self, route: Route, response: requests.Response, model: Any) -> Page[Any]:
        if response.content:
            try:  # fast path for the usual `{data, links, meta}` shape; the page keeps the bytes
                return Page.from_json(model, response.content)
            except pydantic.ValidationError:
                pass  # a bare array, `{data}` with odd meta, or garbage: sorted out below
        payload = self._payload(route, response)
        meta = links = None
        if isinstance(payload, list):
            raw = payload
        elif isinstance(payload, dict) and isinstance(payload.get("data", []), list):
            raw = payload.get("data", [])
            meta, links = payload.get("meta"), payload.get("links")
        elif payload is None:
            raw = []
        else:
            raise self._client.malformed(response, route.operation_id, "expected a list")
        try:
            items = _list_adapter(model).validate_python(raw)
            meta = PaginationMeta.model_validate(meta) if isinstance(meta, dict) else None
            links = PaginationLinks.model_validate(links) if isinstance(links, dict) else None
        except pydantic.ValidationError as exc:
            name = getattr(model, "__name__", str(model))
            raise self._client.malformed(
                response, route.operation_id, f"items do not match {name} ({exc.error_count()} problem(s))"
            ) from None
        return Page(items=items, meta=meta, links=links)

    def _page(self, operation_id: str, model: type[M] | Any, **request: Any) -> Page[M]:
        """Perform a list operation; return one `Page` whatever the list's shape."""
        route, response = self._send(operation_id, **request)
        return self._read_page(route, response, model)

    def _unread_page(self, operation_id: str, model: type[M] | Any, **request: Any) -> UnreadPage[M]:
        """Perform a list operation; return its answer for `UnreadPage.read()` to validate later."""
        route, response = self._send(operation_id, **request)
        return UnreadPage(response.content, partial(self._read_page, route, response, model))

    def _list(self, operation_id: str, model: type[M] | Any, **request: Any) -> list[M]:
        """Perform an operation answering a collection; return its items only."""
        route, response = self._send(operation_id, **request)
        return list(self._read_page(route, response, model).items)

    def _download(self, operation_id: str, **request: Any) -> Download:
        _route, response = self._send(operation_id, **request)
        ctype = response.headers.get("Content-Type")
        return Download(
            content=response.content,
            content_type=ctype.split(";", 1)[0].strip() if ctype else None,
            filename=filename_from_disposition(response.headers.get("Content-Disposition")),
        )

    @staticmethod
    def _walk(fetch: Callable[[int], Page[M]]) -> Iterator[M]:
        """Yield the items of every page lazily, from page 1 until the last one."""
        number = 1
        while True:
            page = fetch(number)
            yield from page.items
            if not page.items or not page.has_next:
                return
            number += 1
