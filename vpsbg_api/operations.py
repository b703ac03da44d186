"""`METHODS` and `OPERATIONS`: every operationId of the reference -> the client method performing it.

Metadata, read off the methods' `@operation` marks: the panel's coverage report, permissions and
audit name operations by operationId, and tests walk the table; calls themselves are typed
(`vpsbg_api.calls.call(ServersArea.reinstall, ...)` or `client.servers.reinstall(...)`).

Naming rule (what the panel codes against): the operationId's area prefix becomes the client
attribute, the rest the method name: `servers_reinstall` -> `client.servers.reinstall`,
`network_protection_whitelist_set` -> `client.network_protection.whitelist_set`,
`support_plans_purchase` -> `client.support_plans.purchase`. Exceptions: the `user_2fa_*`
operations become `client.user.two_factor_*` (`user_2fa_get_secret` -> `two_factor_secret`), and
`measured_boot_images_*` live on `client.measured_boot.images_*`. Paginated lists also get an
`iter_all` (or `<name>_iter_all`) walking every page; it is not an operation of its own.

Keyword arguments are the method's: path parameters by their reference name (`id`, `server_id`),
query parameters without their `filter[...]` wrapper (`status=`; `sort[created_at]` is
`sort_created_at=`), body fields by their reference name (`attachments[]` is `attachments=`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .areas import AREAS
from .spec import ROUTES

if TYPE_CHECKING:
    from .client import Client

__all__ = ["METHODS", "OPERATIONS", "Operation", "method_of"]

def _gather() -> dict[str, tuple[str, str]]:
    """The operation methods' own marks (`@operation`), in the reference's order."""
    found: dict[str, tuple[str, str]] = {}
    for area, cls in AREAS.items():
        for name, method in vars(cls).items():
            operation_id = getattr(method, "operation_id", None)
            if operation_id and not getattr(method, "variant", False):
                if operation_id in found:
                    raise RuntimeError(f"{operation_id} is marked on two client methods")
                found[operation_id] = (area, name)
    return {op: found[op] for op in ROUTES if op in found} | found


METHODS: dict[str, tuple[str, str]] = _gather()
"""operationId -> (client attribute, method name)."""


class Operation:
    """A callable performing one operation on a given client: `OPERATIONS[op](client, **kwargs)`."""

    __slots__ = ("area", "method", "operation_id")

    def __init__(self, operation_id: str, area: str, method: str) -> None:
        self.operation_id = operation_id
        self.area = area
        self.method = method

    def __call__(self, client: Client, /, **kwargs: Any) -> Any:
        return getattr(getattr(client, self.area), self.method)(**kwargs)

    def __repr__(self) -> str:
        return f"<Operation {self.operation_id} -> client.{self.area}.{self.method}>"


def method_of(client: Client, operation_id: str) -> Callable[..., Any]:
    """The bound client method performing `operation_id` (KeyError for an unknown name)."""
    area, method = METHODS[operation_id]
    bound: Callable[..., Any] = getattr(getattr(client, area), method)
    return bound


OPERATIONS: dict[str, Operation] = {
    op: Operation(op, area, method) for op, (area, method) in METHODS.items() if op in ROUTES
}
