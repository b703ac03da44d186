"""Sorting a table by the column its reader clicked: on the server, by a whitelisted key, in the URL.

A table declares once which columns sort and by what (`SortOrder`); its view hands the rows and the
request's query to `sort_rows`, and the header links (`sort_th` in `web_tags`) put the choice in
the URL, so a sorted list can be shared, reloaded and paged. A key that is not in the whitelist is
ignored (the table keeps its default order): a mistyped or hand-made URL never costs a 500.

Rows may be a QuerySet (sorted by the database, text without case, nulls last, the primary key
breaking ties), a list
of anything (sorted in Python: text case-insensitively, nothing-values last in both directions,
mixed types by kind rather than raising), or one page of an upstream list (`vpsbg_api.Page`, whose
`items` are sorted; VPSBG sorts none of its lists but the servers', so a page is sorted within
itself).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, F, QuerySet, TextField
from django.db.models.functions import Lower

__all__ = ["SortOrder", "Sorted", "ip_order", "sort_rows"]

R = TypeVar("R")
# A column's key: a function of a row (rows in memory) or field names (a QuerySet).
Key = Callable[[Any], Any] | str | tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class SortOrder:
    """The columns a table may be sorted by (`keys`) and the order it starts in (`default`, a key,
    `-` in front for descending).

    `param` is the query parameter holding the choice (a page with several tables gives each its
    own), `page_param` the table's page number, dropped when the order changes (page 1 again), and
    `table` the id of the element that holds the table, in the page and in any fragment the view
    answers htmx with: a header click swaps only that element.
    """

    keys: Mapping[str, Key]
    default: str
    param: str = "sort"
    page_param: str = "page"
    table: str = ""

    def __post_init__(self) -> None:
        if self.default.removeprefix("-") not in self.keys:
            raise ValueError(f"The default order {self.default!r} is not one of the keys.")

    def pick(self, value: object) -> str:
        """`value` when it names a key (with or without `-`), else the default."""
        if isinstance(value, str) and value.removeprefix("-") in self.keys:
            return value
        return self.default


@dataclasses.dataclass(frozen=True)
class Sorted(Generic[R]):
    """The rows in the chosen order, the choice (`key`, e.g. `-created`) and the table's order."""

    rows: R
    key: str
    order: SortOrder


def sort_rows(rows: R, order: SortOrder, query: Mapping[str, Any]) -> Sorted[R]:
    """`rows` sorted as `query[order.param]` asks, when the whitelist allows it; else by default."""
    key = order.pick(query.get(order.param))
    descending = key.startswith("-")
    column = order.keys[key.removeprefix("-")]
    if isinstance(rows, QuerySet):
        result: Any = _sort_queryset(rows, column, descending)
    elif dataclasses.is_dataclass(rows) and not isinstance(rows, type) and hasattr(rows, "items"):
        result = dataclasses.replace(rows, items=_sort_list(list(rows.items), column, descending))
    else:
        result = _sort_list(list(rows), column, descending)  # type: ignore[call-overload]
    return Sorted(result, key, order)


def _sort_queryset(rows: QuerySet[Any], column: Key, descending: bool) -> QuerySet[Any]:
    if callable(column):
        raise TypeError("A QuerySet sorts by field names, not by a function.")
    names = (column,) if isinstance(column, str) else column
    fields = [_expression(rows.model, name) for name in names]
    ordered = [f.desc(nulls_last=True) if descending else f.asc(nulls_last=True) for f in fields]
    return rows.order_by(*ordered, "-pk" if descending else "pk")


def _expression(model: Any, name: str) -> Any:
    """Text columns compare without case, as people read them (the database's collation may put
    every capital before every small letter)."""
    try:
        text = isinstance(model._meta.get_field(name), CharField | TextField)
    except FieldDoesNotExist:
        text = False
    return Lower(name) if text else F(name)


def _sort_list(rows: list[Any], column: Key, descending: bool) -> list[Any]:
    if not callable(column):
        names = (column,) if isinstance(column, str) else column

        def column(row: Any) -> Any:
            values = tuple(_read(row, name) for name in names)
            return values[0] if len(values) == 1 else values

    valued: list[tuple[Any, Any]] = []
    missing: list[Any] = []
    for row in rows:
        value = column(row)
        if value is None or value == "" or (isinstance(value, tuple) and all(v in (None, "") for v in value)):
            missing.append(row)
        else:
            valued.append((_comparable(value), row))
    valued.sort(key=lambda pair: pair[0], reverse=descending)
    return [row for _, row in valued] + missing


def _read(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


def _comparable(value: Any) -> tuple[Any, ...]:
    """A value that compares with any other: numbers, then text (case-insensitive), then moments."""
    if isinstance(value, tuple):
        return tuple(_comparable(v) if v is not None else (9,) for v in value)
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float | Decimal):
        return (0, float(value))
    if isinstance(value, str):
        return (1, value.casefold())
    if isinstance(value, datetime):
        return (2, value.timestamp())
    if isinstance(value, date):
        return (2, datetime(value.year, value.month, value.day).timestamp())
    return (3, str(value).casefold())


def ip_order(text: object) -> Any:
    """An IP address as a number (IPv4 before IPv6), so 10.0.0.9 comes before 10.0.0.10; anything
    that is not an address keeps its text (sorted after the addresses)."""
    try:
        address = ipaddress.ip_address(str(text).split("/")[0])
    except ValueError:
        return None if text in (None, "") else (9, str(text))
    return (address.version, int(address))
