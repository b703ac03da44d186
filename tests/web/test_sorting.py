"""Every data table sorts by a click on its header: on the server, kept in the URL, htmx-ready.

For each table: sorted one way then the other by a column, the rows come in that order; the header
of that column says so (`aria-sort`) and links to the other direction with the page's other
parameters kept (and an htmx swap of the table only); a key outside the whitelist leaves the
default order and never costs an error page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.recorder import record
from panel.core.sorting import ip_order
from panel.operations.models import Operation, State
from panel.services.context import Actor
from tests.factories import MembershipFactory, UserFactory
from tests.web.conftest import ALPHA

pytestmark = pytest.mark.django_db


class _Table(HTMLParser):
    """The body rows (cell texts) and header links inside the element with id `element`."""

    def __init__(self, element: str) -> None:
        super().__init__()
        self.element, self.depth = element, 0
        self.rows: list[list[str]] = []
        self.headers: list[dict[str, str]] = []
        self._in_body = self._in_cell = self._in_head_cell = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self.depth == 0:
            if found.get("id") == self.element:
                self.depth = 1
            return
        if tag not in ("input", "br", "img", "meta", "link", "hr", "col", "wbr"):
            self.depth += 1
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self._in_body:
            self._in_cell, self._text = True, []
        elif tag == "th":
            self._in_head_cell = True
            self.headers.append({"aria-sort": found.get("aria-sort") or ""})
        elif tag == "a" and self._in_head_cell:
            self.headers[-1].update({k: v or "" for k, v in found.items()})

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0:
            return
        self.depth -= 1
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._in_cell:
            self.rows[-1].append(" ".join("".join(self._text).split()))
            self._in_cell = False
        elif tag == "th":
            self._in_head_cell = False

    def handle_data(self, data: str) -> None:
        if self.depth and self._in_cell:
            self._text.append(data)
        elif self.depth and self._in_head_cell and self.headers:
            self.headers[-1]["text"] = self.headers[-1].get("text", "") + data.strip()


def table_of(response: Any, element: str) -> _Table:
    assert response.status_code == 200, response.status_code
    parser = _Table(element)
    parser.feed(response.content.decode())
    assert parser.depth == 0 and parser.rows, f"no rows in #{element}"
    return parser


def number(text: str) -> float | None:
    found = re.search(r"-?[\d,]*\.?\d+", text.replace(" ", ""))
    return float(found.group().replace(",", "")) if found else None


def words(text: str) -> str | None:
    return text.casefold() if text and text not in ("—", "Not attached") else None


@dataclass
class Case:
    url: str
    element: str
    key: str
    column: int
    value: Callable[[str], Any] = words
    param: str = "sort"
    query: dict[str, str] = field(default_factory=dict)
    role: Role = Role.OWNER
    seed: Callable[[dict[str, Any]], None] | None = None  # more rows in account alpha of the simulator


def _more_affiliate_rows(alpha: dict[str, Any]) -> None:
    alpha["conversions"] += [
        {"id": 2, "order_id": 7400, "amount": 120, "commission": 6, "status": "pending"},
        {"id": 3, "order_id": 7401, "amount": 8.5, "commission": 0.42, "status": "approved"},
    ]
    alpha["payouts"] += [{"id": 2, "amount": 40, "method": "bank", "status": "pending"}]


A = {"account": ALPHA}
BILLING, SUPPORT = reverse("web:billing"), reverse("web:support")
LIBRARY, NETWORK = reverse("web:library"), reverse("web:network")
SHIELD = reverse("web:network_protection", kwargs={"ref": f"{ALPHA}:404"})
UPSTREAM = {
    "orders": Case(BILLING, "orders", "order", 0, number, "osort", A),
    "invoices": Case(BILLING, "invoices", "amount", 2, number, "isort", A, Role.VIEWER),
    "transactions": Case(BILLING, "transactions", "amount", 2, number, "tsort", A),
    "tickets": Case(SUPPORT, "tickets", "id", 0, number, query=A),
    "ssh keys": Case(LIBRARY, "ssh-keys", "name", 0, query=A),
    "plans": Case(LIBRARY, "plans", "price", 4, number, "psort", A),
    "floating IPs": Case(NETWORK, "floating-ips", "address", 0, lambda t: ip_order(t.split()[0]), "fsort", A),
    "protected addresses": Case(NETWORK, "protected", "address", 0, ip_order, "psort", A),
    "attacks": Case(SHIELD, "attacks", "bandwidth", 5, number, "asort"),
    "VPSBG tokens": Case(reverse("vault:token_list"), "tokens-table", "name", 0),
    "affiliate conversions": Case(
        reverse("web:account"), "conversions", "amount", 2, number, "csort", A, seed=_more_affiliate_rows
    ),
    "affiliate payouts": Case(
        reverse("web:account"), "payouts", "amount", 1, number, "posort", A, seed=_more_affiliate_rows
    ),
}

LOCAL = {
    "audit log": Case(reverse("audit:index"), "audit-table", "actor", 2),
    "operations": Case(reverse("operations:list"), "operations-ended", "target", 2),
    "panel API tokens": Case(reverse("api_tokens:list"), "api-tokens-table", "name", 0),
    "members": Case(reverse("accounts:team"), "members", "person", 0),
}


def _local_rows(team: Any, browser: Any) -> None:
    """Rows of the local tables, in an order none of the sorts gives."""
    for name in ("mallory", "alice", "zed"):
        record(actor_label=name, team=team, operation_id="servers_start", outcome="ok")
        Operation.objects.create(
            team=team, kind="reinstall", target_type="server", target_id=f"{ALPHA}:{len(name)}",
            target_label=f"{name}.example", state=State.SUCCEEDED, progress=100,
        )  # fmt: skip
        MembershipFactory(team=team, role=Role.VIEWER, user=UserFactory(full_name=name.title()))
    from panel.api.tokens import create_token

    for label in ("deploy script", "Backup job", "monitoring"):
        create_token(actor=Actor(browser.membership), label=label)


def _check(browser: Any, case: Case) -> None:
    get = lambda **q: table_of(browser.get(case.url, {**case.query, **q}), case.element)  # noqa: E731
    for direction, reverse_ in (("", False), ("-", True)):
        listed = get(**{case.param: f"{direction}{case.key}"})
        values = [case.value(row[case.column]) for row in listed.rows]
        present = [v for v in values if v is not None]
        assert len(set(present)) >= 2, f"too few values to tell an order: {values}"
        assert present == sorted(present, reverse=reverse_), values
        assert values[len(present) :] == [None] * (len(values) - len(present)), "missing values go last"
        header = next(h for h in listed.headers if f"{case.param}=" in h.get("href", "") and h["aria-sort"])
        assert header["aria-sort"] == ("descending" if reverse_ else "ascending")
        turned = parse_qs(urlsplit(header["href"]).query)
        assert turned[case.param] == [f"{'' if reverse_ else '-'}{case.key}"]  # a second click turns it
        assert all(turned.get(k) == [v] for k, v in case.query.items()), "the page's parameters stay"
        assert header["hx-get"] == header["href"].split("#")[0] and header["hx-target"] == f"#{case.element}"
        assert header["hx-push-url"] == "true"  # the address bar keeps the order, to share or reload
    default = get()
    for bad in ("nope", "-", "--" + case.key, "__class__", case.key + "'"):
        assert get(**{case.param: bad}).rows == default.rows


@pytest.mark.parametrize("name", list(UPSTREAM))
def test_upstream_tables_sort_by_their_headers(name, web_team, simulator, member_of) -> None:
    case = UPSTREAM[name]
    if case.seed is not None:
        case.seed(simulator.sim.state.data["accounts"]["alpha"])
    _check(member_of(case.role), case)


@pytest.mark.parametrize("name", list(LOCAL))
def test_local_tables_sort_by_their_headers(name, team, member_of) -> None:
    browser = member_of(Role.OWNER)
    _local_rows(team, browser)
    _check(browser, LOCAL[name])


def test_the_audit_filters_keep_the_order_chosen(team, member_of) -> None:
    browser = member_of(Role.OWNER)
    _local_rows(team, browser)
    page = browser.get(reverse("audit:index"), {"sort": "-actor"}).content.decode()
    assert re.search(r'<input type="hidden" name="sort" value="-actor" form="audit-filters">', page)
    query = {"sort": "-actor", "q": "servers"}
    fragment = browser.get(reverse("audit:index"), query, headers={"HX-Request": "true"})
    listed = table_of(fragment, "audit-table")
    assert "<html" not in fragment.content.decode()
    assert [r[2] for r in listed.rows][:3] == ["zed", "mallory", "alice"]


def test_the_ticket_pages_keep_the_order_chosen(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    body = browser.get(SUPPORT, {"account": ALPHA, "sort": "-id", "page": "1"}).content.decode()
    assert '<input type="hidden" name="sort" value="-id" form="ticket-filters">' in body
    fragment = browser.get(
        reverse("web:support"), {"account": ALPHA, "sort": "subject"}, headers={"HX-Request": "true"}
    )
    assert fragment.content.decode().lstrip().startswith('<div id="tickets"')
    assert table_of(fragment, "tickets").headers[1]["aria-sort"] == "ascending"
