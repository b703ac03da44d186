"""Every declared action by name; the area modules fill it when imported (`load_all`)."""

from __future__ import annotations

import importlib

from .base import Action

__all__ = ["ACTIONS", "AREA_MODULES", "get", "load_all", "register"]

ACTIONS: dict[str, Action] = {}

AREA_MODULES: tuple[str, ...] = (
    "panel.actions.servers",
    "panel.actions.server_billing",
    "panel.actions.backups",
    "panel.actions.snapshots",
    "panel.actions.deploy",
    "panel.actions.account",
    "panel.actions.billing",
    "panel.actions.library",
    "panel.actions.network",
    "panel.actions.support",
)


def register(*actions: Action) -> None:
    for action in actions:
        existing = ACTIONS.get(action.name)
        if existing is not None and existing != action:
            raise ValueError(f"two declarations of the action {action.name}")
        ACTIONS[action.name] = action


def load_all() -> dict[str, Action]:
    for name in AREA_MODULES:
        importlib.import_module(name)
    return ACTIONS


def get(name: str) -> Action | None:
    """The declared action called `name`, or None while it still uses the older path."""
    return load_all().get(name)
