"""`manage.py coverage_report`: which VPSBG operations the client, the services, the web pages and
the panel API reach, found by introspection (never a hand-kept list).

- client: `vpsbg_api.OPERATIONS` (asked through `panel.services.registry`, the only layer that may
  import the client);
- services: the functions registered with `@service("<operationId>")` in `panel/services/<area>.py`;
- web and api: views found in the URL conf that declare the operations they reach in an
  `operation_ids` attribute, on the view function or on its class (`view_class` of a Django
  class-based view, `cls` of a DRF view). Set it with `panel.services.registry.reaches(...)`:

      @reaches("servers_get", "servers_metrics")
      def server_detail(request, ref): ...

  A URL whose route starts with `api/` counts for the panel API, every other one for the web.

One line per operationId of the reference, then a last line summing each column:
`client 115/115, services 115/115, web 0/115, api 0/115`. Views declaring names that are not
operations of the reference are listed on stderr and make the command fail (exit status 1), so a
typo cannot silently count as coverage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.urls import URLPattern, URLResolver, get_resolver

from panel.services import registry

COLUMNS = ("client", "services", "web", "api")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def declared_operations(callback: Any) -> tuple[str, ...]:
    """The operationIds a view declares (function, Django class-based view or DRF view)."""
    for owner in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        found = getattr(owner, "operation_ids", None) if owner is not None else None
        if found:
            return tuple(found)
    return ()


def front_door_coverage(urlconf: str | None = None) -> dict[str, set[str]]:
    """`{"web": {...}, "api": {...}}`: operationIds reached by views of the URL conf."""
    reached: dict[str, set[str]] = {"web": set(), "api": set()}
    for route, callback in _walk(get_resolver(urlconf).url_patterns):
        door = "api" if route.lstrip("^/").startswith("api/") else "web"
        reached[door].update(declared_operations(callback))
    return reached


def coverage(urlconf: str | None = None) -> dict[str, set[str]]:
    doors = front_door_coverage(urlconf)
    return {
        "client": set(registry.client_operations()),
        "services": set(registry.load_all()),
        "web": doors["web"],
        "api": doors["api"],
    }


class Command(BaseCommand):
    help = "Print, for every VPSBG operation, whether the client, a service, a web page and the API reach it."

    def handle(self, *args: Any, **options: Any) -> None:
        operations = sorted(registry.spec_operations())
        found = coverage()
        width = max(len(op) for op in operations)
        for op in operations:
            marks = "  ".join(f"{col} {'yes' if op in found[col] else 'no '}" for col in COLUMNS)
            self.stdout.write(f"{op:<{width}}  {marks}".rstrip())
        unknown = sorted(set().union(*found.values()) - set(operations))
        total = len(operations)
        self.stdout.write(", ".join(f"{col} {len(found[col] & set(operations))}/{total}" for col in COLUMNS))
        if unknown:
            names = ", ".join(unknown)
            raise CommandError(f"views declare operations that are not in the reference: {names}")
