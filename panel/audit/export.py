"""CSV and JSON exports that stream: rows are read with a server-side iterator in chunks and written
as they come, so exporting 100k events holds one chunk in memory, never the whole log.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from .chain import HASHED_FIELDS
from .models import AuditEvent

CHUNK_SIZE = 2000

# Export columns, in order; names are stable (scripts read them).
COLUMNS: tuple[str, ...] = (*HASHED_FIELDS, "hash")
_HEADER = tuple("team_id" if c == "team_ref_id" else c for c in COLUMNS)
# A cell starting with one of these is a formula in spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _rows(queryset: QuerySet[AuditEvent]) -> Iterator[dict[str, Any]]:
    for row in queryset.order_by("seq").values(*COLUMNS).iterator(chunk_size=CHUNK_SIZE):
        created: dt.datetime = row["created_at"]
        row["created_at"] = created.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        yield row


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(_HEADER)
    for row in _rows(queryset):
        row["params"] = json.dumps(row["params"], ensure_ascii=False, sort_keys=True)
        yield writer.writerow([_csv_cell(row[c]) for c in COLUMNS])


def json_chunks(queryset: QuerySet[AuditEvent]) -> Iterator[str]:
    """A JSON array, one event per line, written as it streams."""
    yield "[\n"
    first = True
    for row in _rows(queryset):
        row["team_id"] = row.pop("team_ref_id")
        text = json.dumps(row, ensure_ascii=False)
        yield text if first else ",\n" + text
        first = False
    yield "\n]\n"


def _batched(lines: Iterable[str], size: int = 64) -> Iterator[str]:
    """Group small writes into larger chunks; fewer, bigger writes to the socket."""
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if len(buffer) >= size:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def streaming_export(queryset: QuerySet[AuditEvent], fmt: str) -> StreamingHttpResponse:
    """A download of `queryset` as "csv" or "json"."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    if fmt == "csv":
        body, content_type, ext = csv_lines(queryset), "text/csv; charset=utf-8", "csv"
    elif fmt == "json":
        body, content_type, ext = json_chunks(queryset), "application/json", "json"
    else:
        raise ValueError(f"Unknown export format {fmt!r}.")
    response = StreamingHttpResponse(_batched(body), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{ext}"'
    response["Cache-Control"] = "no-store"
    return response
