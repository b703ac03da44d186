"""Which service function performs which VPSBG operation, found by introspection.

Each per-operation service is declared with `@service("<operationId>")`; `SERVICES` maps the
operationId to the function. `coverage_report` (and the completeness tests) compare it with the
client's `vpsbg_api.OPERATIONS`, re-exported here as `client_operations()` because only the
service layer may import the client.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

import vpsbg_api

__all__ = [
    "AREA_MODULES",
    "SERVICES",
    "client_operations",
    "load_all",
    "reaches",
    "service",
    "spec_operations",
]

F = TypeVar("F", bound=Callable[..., Any])

SERVICES: dict[str, Callable[..., Any]] = {}

# The modules holding per-operation services; importing them fills `SERVICES`.
AREA_MODULES: tuple[str, ...] = (
    "panel.services.account",
    "panel.services.billing",
    "panel.services.library",
    "panel.services.network",
    "panel.services.servers",
    "panel.services.support",
)


def service(operation_id: str) -> Callable[[F], F]:
    """Register the decorated function as the service performing `operation_id`."""
    if operation_id not in vpsbg_api.ROUTES:
        raise ValueError(f"{operation_id!r} is not an operation of the VPSBG reference")

    def decorate(func: F) -> F:
        existing = SERVICES.get(operation_id)
        if existing is not None and existing is not func and existing.__qualname__ != func.__qualname__:
            raise ValueError(
                f"two services for {operation_id}: {existing.__qualname__} and {func.__qualname__}"
            )
        SERVICES[operation_id] = func
        func.operation_id = operation_id  # type: ignore[attr-defined]
        return func

    return decorate


def load_all() -> dict[str, Callable[..., Any]]:
    """Import every area module and return the full registry."""
    for name in AREA_MODULES:
        importlib.import_module(name)
    return SERVICES


def client_operations() -> frozenset[str]:
    """operationIds the client implements (`vpsbg_api.OPERATIONS`)."""
    return frozenset(vpsbg_api.OPERATIONS)


def spec_operations() -> dict[str, str]:
    """Every operationId of the reference -> its HTTP method."""
    return {op: route.method for op, route in vpsbg_api.ROUTES.items()}


def reaches(*operation_ids: str) -> Callable[[F], F]:
    """Declare on a view (function or class) the VPSBG operations it reaches.

    `coverage_report` finds views through the URL conf and reads this `operation_ids` attribute:

        @reaches("servers_get", "servers_metrics")
        def server_detail(request, ref): ...
    """
    unknown = [op for op in operation_ids if op not in vpsbg_api.ROUTES]
    if unknown:
        raise ValueError(f"not operations of the VPSBG reference: {', '.join(unknown)}")

    def decorate(view: F) -> F:
        view.operation_ids = tuple(operation_ids)  # type: ignore[attr-defined]
        return view

    return decorate
