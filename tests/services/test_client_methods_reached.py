"""No client method unused: every method of the VPSBG client is reached by some service.

The services name the method they call (`call(ServersArea.reinstall, ...)`, or
`client.user.get()` where a token is checked), so reading their source finds every method
reached, with no string table in between. The page walkers (`iter_all`, `*_iter_all`) are the
client's conveniences for scripts over an operation the services reach through its list method
(the panel walks pages on its own thread pool, `aggregates`), so they only need that.
"""

from __future__ import annotations

import ast
import inspect
import pathlib

from vpsbg_api import METHODS
from vpsbg_api.areas import AREAS

PANEL = pathlib.Path(__file__).resolve().parents[2] / "panel"
# the only packages that may import vpsbg_api (`.importlinter`)
CALLERS = (PANEL / "services", PANEL / "operations")
CLASSES = {cls.__name__: area for area, cls in AREAS.items()}


def client_methods() -> set[tuple[str, str]]:
    return {
        (area, name)
        for area, cls in AREAS.items()
        for name, _member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def reached() -> dict[tuple[str, str], list[str]]:
    """(area, method) -> the service modules naming it, as `ServersArea.get` or `<x>.servers.get`."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(p for folder in CALLERS for p in folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            owner = node.value
            area = None
            if isinstance(owner, ast.Name) and owner.id in CLASSES:
                area = CLASSES[owner.id]
            elif isinstance(owner, ast.Attribute) and owner.attr in AREAS:
                area = owner.attr
            if area is not None:
                found.setdefault((area, node.attr), []).append(str(path.relative_to(PANEL.parent)))
    return found


def test_every_client_method_is_reached_by_a_service() -> None:
    reached_by = reached()
    walkers = {m for m in client_methods() if m[1].endswith("iter_all")}
    unused = sorted(m for m in client_methods() - walkers if m not in reached_by)
    assert not unused, f"client methods no service reaches: {[f'{a}.{m}' for a, m in unused]}"
    for area, walker in walkers:
        listed = "list" if walker == "iter_all" else walker.replace("iter_all", "list")
        assert (area, listed) in reached_by, f"{area}.{walker} walks {area}.{listed}: no service reaches it"


def test_every_operation_is_reached_through_its_typed_method() -> None:
    reached_by = reached()
    assert len(METHODS) == 115
    assert all(METHODS[op] in reached_by for op in METHODS)


def test_a_method_named_nowhere_is_reported(monkeypatch) -> None:
    """The check above can fail: a method no service names is found."""

    def orphan(self) -> None:  # pragma: no cover - never called
        """A method no service knows."""

    monkeypatch.setattr(AREAS["balance"], "orphan_method", orphan, raising=False)
    assert ("balance", "orphan_method") in client_methods()
    assert ("balance", "orphan_method") not in reached()
