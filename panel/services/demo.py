"""What demo mode needs to know about the bundled simulator: its fixed demo tokens.

The seed (`manage.py seed_demo`) stores these through the same service as the token page; the
simulator started by the demo recognises them. Only `panel/services` may import `vpsbg_api`, so
the seed asks here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from panel.vault.models import TokenScope

__all__ = ["DemoToken", "demo_tokens"]


@dataclass(frozen=True)
class DemoToken:
    name: str
    secret: str
    scope: str
    account: str

    def __repr__(self) -> str:  # the demo secrets are public, but keep the habit
        return f"DemoToken(name={self.name!r}, scope={self.scope!r}, account={self.account!r})"


_LABELS = {"rw": ("read-write", TokenScope.READ_WRITE), "ro": ("read-only", TokenScope.READ_ONLY)}


def _value(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return str(entry.get("token") or entry.get("value") or entry.get("secret"))
    return str(getattr(entry, "token", None) or getattr(entry, "value", None) or entry)


def demo_tokens() -> list[DemoToken]:
    """The simulator's demo tokens (`alpha_rw`, `alpha_ro`, `beta_rw`), named for the token page."""
    from vpsbg_api.simulator.seed import DEMO_TOKENS

    result: list[DemoToken] = []
    for key, entry in DEMO_TOKENS.items():
        account, _, kind = str(key).rpartition("_")
        label, scope = _LABELS.get(kind, ("read-write", TokenScope.READ_WRITE))
        account = account or str(key)
        result.append(
            DemoToken(name=f"{account} ({label})", secret=_value(entry), scope=scope, account=account)
        )
    return result
