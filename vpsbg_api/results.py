"""Containers the client returns around the models: a page of a list, a downloaded file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Generic, TypeVar

from .models import PaginationLinks, PaginationMeta

__all__ = ["Download", "Page", "filename_from_disposition"]

T = TypeVar("T")


@dataclass(slots=True)
class Page(Generic[T]):
    """One page of a list: its items plus the paginator's `meta` (None for unpaginated lists).

    Lists come in three shapes (`{data, links, meta}`, `{data}`, a bare array); all end up here,
    so callers never care which one an endpoint uses.
    """

    items: list[T]
    meta: PaginationMeta | None = None
    links: PaginationLinks | None = field(default=None, repr=False)

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
