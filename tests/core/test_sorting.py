"""The one helper every table sorts with: whitelisted keys, both directions, nothing a URL can break."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from panel.accounts.models import User
from panel.core.sorting import SortOrder, ip_order, sort_rows
from tests.factories import UserFactory
from vpsbg_api.results import Page


@dataclass
class Row:
    name: str | None
    amount: float | None
    when: datetime | None = None


ROWS = [Row("beta", 20.0), Row("Alpha", 5.5), Row(None, 7.0), Row("gamma", None)]
ORDER = SortOrder({"name": "name", "amount": lambda r: r.amount}, default="name")


def names(result) -> list[str | None]:
    return [row.name for row in result.rows]


def test_text_sorts_without_case_and_missing_values_go_last_both_ways() -> None:
    assert names(sort_rows(ROWS, ORDER, {"sort": "name"})) == ["Alpha", "beta", "gamma", None]
    assert names(sort_rows(ROWS, ORDER, {"sort": "-name"})) == ["gamma", "beta", "Alpha", None]


def test_a_function_key_and_numbers() -> None:
    result = sort_rows(ROWS, ORDER, {"sort": "-amount"})
    assert [r.amount for r in result.rows] == [20.0, 7.0, 5.5, None]
    assert result.key == "-amount" and result.order is ORDER


@pytest.mark.parametrize("value", [None, "", "nope", "-nope", "--name", "__class__", "name ", ["name"], "-"])
def test_a_key_outside_the_whitelist_is_ignored(value) -> None:
    result = sort_rows(ROWS, ORDER, {"sort": value})
    assert result.key == "name"
    assert names(result) == ["Alpha", "beta", "gamma", None]


def test_each_table_reads_its_own_parameter() -> None:
    order = SortOrder({"name": "name", "amount": "amount"}, default="name", param="osort")
    assert sort_rows(ROWS, order, {"sort": "-amount", "osort": "-name"}).key == "-name"


def test_mixed_types_compare_by_kind_instead_of_raising() -> None:
    rows = [{"v": "b"}, {"v": 3}, {"v": datetime(2025, 1, 1, tzinfo=UTC)}, {"v": "A"}, {"v": 1.5}]
    order = SortOrder({"v": "v"}, default="v")
    assert [r["v"] for r in sort_rows(rows, order, {}).rows][:4] == [1.5, 3, "A", "b"]


def test_a_page_of_an_upstream_list_keeps_its_paging() -> None:
    page = Page(items=[Row("b", 1), Row("a", 2)])
    result = sort_rows(page, ORDER, {"sort": "name"})
    assert isinstance(result.rows, Page) and [r.name for r in result.rows] == ["a", "b"]
    assert [r.name for r in page] == ["b", "a"]  # the page it came from is left alone


def test_addresses_sort_as_numbers() -> None:
    rows = [{"ip": "10.0.0.10"}, {"ip": "2001:db8::1"}, {"ip": "10.0.0.9"}, {"ip": "n/a"}, {"ip": None}]
    order = SortOrder({"ip": lambda r: ip_order(r["ip"])}, default="ip")
    assert [r["ip"] for r in sort_rows(rows, order, {}).rows] == [
        "10.0.0.9", "10.0.0.10", "2001:db8::1", "n/a", None,
    ]  # fmt: skip


def test_a_default_outside_the_keys_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="default order"):
        SortOrder({"name": "name"}, default="amount")


@pytest.mark.django_db
def test_a_queryset_is_sorted_by_the_database_with_nulls_last() -> None:
    UserFactory(email="b@example.com", full_name="Bea")
    UserFactory(email="a@example.com", full_name="")
    UserFactory(email="c@example.com", full_name="Cid")
    order = SortOrder({"email": "email", "name": ("full_name", "email")}, default="email")
    users = User.objects.filter(email__endswith="@example.com")
    ascending = sort_rows(users, order, {"sort": "email"}).rows
    descending = sort_rows(users, order, {"sort": "-email"}).rows
    assert [u.email for u in ascending] == ["a@example.com", "b@example.com", "c@example.com"]
    assert [u.email for u in descending] == ["c@example.com", "b@example.com", "a@example.com"]
    assert [u.full_name for u in sort_rows(users, order, {"sort": "-name"}).rows] == ["Cid", "Bea", ""]
