"""Containers the client returns around the models: a page of a list, a downloaded file.

A page read from the usual `{data, links, meta}` answer keeps the JSON bytes it was validated
from (`Page.raw`), so a cache can store what came in instead of encoding the models again (about
as costly as validating them), and `Page.from_json` turns those bytes back into the same page.

An `UnreadPage` is a list answer received but not validated yet: a caller that runs many lists'
HTTP exchanges in parallel threads can validate them on one thread instead. Pydantic holds the
GIL while it validates; on the 2-core benchmark machine twenty threads that each fetched and
validated a page spent ~30% more CPU than twenty threads fetching while one thread validated.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter

from .models import PaginationLinks, PaginationMeta

__all__ = ["Download", "Page", "UnreadPage", "filename_from_disposition"]

T = TypeVar("T")
M = TypeVar("M")


class _Envelope(BaseModel, Generic[M]):
    """The usual list answer, validated straight from the JSON bytes."""

    model_config = ConfigDict(extra="ignore")

    data: list[M]
    meta: PaginationMeta | None = None
    links: PaginationLinks | None = None


_ENVELOPES: dict[Any, TypeAdapter[Any]] = {}


def _envelope(model: Any) -> TypeAdapter[Any]:
    adapter = _ENVELOPES.get(model)
    if adapter is None:
        adapter = _ENVELOPES[model] = TypeAdapter(_Envelope[model])
    return adapter


class _ReadFrom:
    """Where `Page.raw` lives: a slot outside the dataclass fields (see `Page`)."""

    __slots__ = ("_raw",)
    _raw: bytes  # set only by `Page.from_json`; unset reads as None through `raw`

    def _keep_raw(self, content: bytes) -> None:
        self._raw = content

    @property
    def raw(self) -> bytes | None:
        """The JSON answer this page was read from (None when unknown)."""
        try:
            return self._raw
        except AttributeError:
            return None


@dataclass(slots=True)
class Page(_ReadFrom, Generic[T]):
    """One page of a list: its items plus the paginator's `meta` (None for unpaginated lists).

    Lists come in three shapes (`{data, links, meta}`, `{data}`, a bare array); all end up here,
    so callers never care which one an endpoint uses. `raw` is the JSON answer the page was read
    from when it had the usual shape (None otherwise, and for pages built by hand). It is not a
    dataclass field: it takes no part in equality, repr or `dataclasses.fields()`, so nothing that
    renders a page's fields (the panel API) carries the bytes along by accident.
    """

    items: list[T]
    meta: PaginationMeta | None = None
    links: PaginationLinks | None = field(default=None, repr=False)

    @classmethod
    def from_json(cls, model: Any, content: bytes) -> Page[Any]:
        """The page of `model` items in a `{data, links, meta}` answer, keeping `content` as `raw`.

        Parsing and validation happen in one pass, with no intermediate dicts. Raises
        `pydantic.ValidationError` (a `ValueError`) when `content` is not that shape.
        """
        envelope = _envelope(model).validate_json(content)
        page = cls(items=envelope.data, meta=envelope.meta, links=envelope.links)
        page._keep_raw(content)
        return page

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def current_page(self) -> int:
        return (self.meta.current_page if self.meta else None) or 1

    @property
    def last_page(self) -> int:
        """The last page number; the current one when the answer did not say."""
        found = self.meta.last_page if self.meta else None
        return found if found is not None else self.current_page

    @property
    def per_page(self) -> int | None:
        return self.meta.per_page if self.meta else None

    @property
    def total(self) -> int:
        found = self.meta.total if self.meta else None
        return found if found is not None else len(self.items)

    @property
    def has_next(self) -> bool:
        """True when another page follows (from `meta`, else from `links.next`)."""
        if self.meta is not None and self.meta.last_page is not None:
            return self.current_page < self.meta.last_page
        return bool(self.links is not None and self.links.next)


class UnreadPage(Generic[T]):
    """A list answer received but not validated yet: `read()` validates it, once, on any thread.

    `read()` raises what the list method would have raised for the same answer.
    """

    __slots__ = ("_page", "_reader", "content")

    def __init__(self, content: bytes, reader: Callable[[], Page[T]]) -> None:
        self.content = content
        self._reader = reader
        self._page: Page[T] | None = None

    def __repr__(self) -> str:
        state = "read" if self._page is not None else "unread"
        return f"<UnreadPage {len(self.content)} bytes, {state}>"

    def read(self) -> Page[T]:
        """The page, validated on the first call (a second thread racing it only repeats the work)."""
        page = self._page
        if page is None:
            page = self._page = self._reader()
        return page


@dataclass(frozen=True, slots=True)
class Download:
    """A file the API sent back (an invoice PDF, a ticket attachment)."""

    content: bytes = field(repr=False)
    content_type: str | None
    filename: str | None

    @property
    def size(self) -> int:
        return len(self.content)


def filename_from_disposition(header: str | None) -> str | None:
    """The file name of a `Content-Disposition` header (RFC 6266, `filename*` included).

    Only the last path component is kept, so a hostile name cannot point outside a folder.
    """
    if not header:
        return None
    msg = Message()
    msg["content-disposition"] = header
    name = msg.get_filename()
    if not name:
        return None
    name = os.path.basename(name.replace("\\", "/")).strip()
    return name or None
