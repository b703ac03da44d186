"""Count the permission table's answers wherever the panel asks it, to show the role is asked once."""

from __future__ import annotations

from typing import Any

import pytest

from panel.accounts import permissions

ASKERS = ("panel.accounts.decorators", "panel.actions.pipeline", "panel.services.execution",
          "panel.operations.services")


def role_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The actions asked of the table from now on, in order (one entry per question)."""
    asked: list[str] = []

    def counting(membership: Any, action: str) -> None:
        asked.append(action)
        permissions.require(membership, action)

    for module in ASKERS:
        monkeypatch.setattr(f"{module}.require", counting)
    return asked
