"""The shipped API reference (`openapi.json`) as routes the client can use.

Routes are read from the data at import time, never written in code: when an inferred
(`x-unverified`) path turns out wrong against the real API, the fix is a change to the JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["ROUTES", "Route", "is_verified", "load_reference"]

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True, slots=True)
class Route:
    """Where one operation lives: HTTP method, path template, and how its body travels."""

    operation_id: str
    method: str  # upper case
    path: str  # template, e.g. "/servers/{id}"
    verified: bool
    multipart: bool
    path_params: tuple[str, ...]


@cache
def load_reference() -> dict[str, Any]:
    """The parsed reference shipped inside the package (read once)."""
    text = resources.files(__package__ or "vpsbg_api").joinpath("openapi.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _routes(spec: dict[str, Any]) -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict) or not op.get("operationId"):
                continue
            body = op.get("requestBody") or {}
            params = [*item.get("parameters", []), *op.get("parameters", [])]
            routes[op["operationId"]] = Route(
                operation_id=op["operationId"],
                method=method.upper(),
                path=path,
                verified=not op.get("x-unverified", False),
                multipart="multipart/form-data" in body.get("content", {}),
                path_params=tuple(p["name"] for p in params if p.get("in") == "path"),
            )
    return routes


ROUTES: dict[str, Route] = _routes(load_reference())


def is_verified(operation_id: str) -> bool:
    """False when the reference marks the operation `x-unverified` (inferred, not read).

    Raises KeyError for a name that is not an operation of the reference.
    """
    try:
        return ROUTES[operation_id].verified
    except KeyError:
        raise KeyError(f"unknown VPSBG operation: {operation_id!r}") from None
