"""What a handler receives (``Ctx``), what it returns (``Reply``), and shared list helpers."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .errors import ApiError, invalid
from .spec import Operation
from .state import State

if TYPE_CHECKING:
    from .app import Simulator

HANDLERS: dict[str, Callable[[Ctx], Any]] = {}


def handles(operation_id: str) -> Callable[[Callable[[Ctx], Any]], Callable[[Ctx], Any]]:
    """Register a handler under the reference's operationId (the route comes from the spec)."""

    def register(func: Callable[[Ctx], Any]) -> Callable[[Ctx], Any]:
        if operation_id in HANDLERS:
            raise RuntimeError(f"two handlers for {operation_id}")
        HANDLERS[operation_id] = func
        return func

    return register


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Reply:
    status: int
    body: Any = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Ctx:
    sim: Simulator
    op: Operation
    account_name: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    files: dict[str, list[Upload]]
    base_url: str
    now: float
    request_path: str = ""

    @property
    def state(self) -> State:
        return self.sim.state

    @property
    def account(self) -> dict[str, Any]:
        return self.sim.state.account(self.account_name)

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def q_int(
        self, name: str, default: int | None = None, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        raw = self.q(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise invalid(name, f"The {name} field must be an integer.") from None
        if lo is not None and hi is not None and not lo <= value <= hi:
            raise invalid(name, f"The {name} field must be between {lo} and {hi}.")
        if lo is not None and value < lo:
            raise invalid(name, f"The {name} field must be at least {lo}.")
        if hi is not None and value > hi:
            raise invalid(name, f"The {name} field must not be greater than {hi}.")
        return value

    def path_int(self, name: str, what: str | None = None) -> int:
        raw = self.params.get(name, "")
        try:
            return int(raw)
        except ValueError:
            raise ApiError(404, f"No query results for {what or name}.") from None

    def b(self, name: str, default: Any = None) -> Any:
        return self.body.get(name, default) if isinstance(self.body, dict) else default

    @property
    def action_seconds(self) -> float:
        return self.sim.action_seconds


def paginate(
    ctx: Ctx, items: list[Any], render: Callable[[Any], Any] = lambda x: x, default_per_page: int = 15
) -> dict[str, Any]:
    """A Laravel LengthAwarePaginator body: ``{data, links, meta}`` with page/per_page checked."""
    per_page = ctx.q_int("per_page", default_per_page, 1, 50) or default_per_page
    page = ctx.q_int("page", 1, 1, None) or 1
    total = len(items)
    last_page = max(math.ceil(total / per_page), 1)
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]
    path = ctx.base_url + ctx.request_path
    keep = {k: v[-1] for k, v in ctx.query.items() if k != "page"}

    def url(n: int) -> str:
        return f"{path}?{urlencode({**keep, 'page': n})}"

    links = [{"url": url(page - 1) if page > 1 else None, "label": "« Previous", "active": False}]
    links += [{"url": url(n), "label": str(n), "active": n == page} for n in range(1, last_page + 1)]
    links.append({"url": url(page + 1) if page < last_page else None, "label": "Next »", "active": False})
    return {
        "data": [render(x) for x in chunk],
        "links": {
            "first": url(1),
            "last": url(last_page),
            "prev": url(page - 1) if page > 1 else None,
            "next": url(page + 1) if page < last_page else None,
        },
        "meta": {
            "current_page": page,
            "from": start + 1 if chunk else None,
            "last_page": last_page,
            "links": links,
            "path": path,
            "per_page": per_page,
            "to": start + len(chunk) if chunk else None,
            "total": total,
        },
    }


def csv_filter(ctx: Ctx, name: str, default: str | None, allowed: Iterable[str]) -> set[str] | None:
    raw = ctx.q(name, default)
    if raw is None or raw == "":
        return None
    values = {v.strip() for v in raw.split(",") if v.strip()}
    allowed = set(allowed)
    bad = values - allowed
    if bad:
        raise invalid(name, f"The selected {name} is invalid. Allowed: {', '.join(sorted(allowed))}.")
    return values


def sort_direction(ctx: Ctx, name: str) -> str | None:
    raw = ctx.q(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in ("asc", "desc"):
        raise invalid(name, f"The {name} field must be asc or desc.")
    return raw.lower()
