"""The simulator's whole world as one JSON-serialisable dict, plus the helpers handlers share.

Keeping everything in plain dicts makes saving (``--state FILE``) trivial and lets tests
inspect and arrange state directly (``sim.state``). Collections are keyed by the string form
of the id; every owned record carries ``_account``. Keys starting with ``_`` are internal
and never rendered.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import ApiError, not_found

COLLECTIONS = (
    "servers",
    "ips",
    "ssh_keys",
    "orders",
    "invoices",
    "transactions",
    "tickets",
    "attachments",
    "isos",
    "snapshots",
    "backups",
    "floating_ips",
    "measured_boot_images",
    "protections",
)

STATE_VERSION = 1


def empty_state() -> dict[str, Any]:
    data: dict[str, Any] = {"version": STATE_VERSION, "accounts": {}, "tokens": {}, "seq": {}, "catalog": {}}
    for name in COLLECTIONS:
        data[name] = {}
    return data


class State:
    """Thin wrapper over the data dict with id allocation and account-scoped lookups."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data = data if data is not None else empty_state()
        for name in COLLECTIONS:
            self.data.setdefault(name, {})
        self.dirty = False
        # Bumped by every write over HTTP and every completed long action: the opt-in render cache
        # (encoding.RenderCache) is valid for one generation only.
        self.generation = 0

    # ---- ids and collections -------------------------------------------------------
    def next_id(self, kind: str, start: int = 1000) -> int:
        seq = self.data["seq"]
        value = max(seq.get(kind, start), start) + 1
        seq[kind] = value
        return value

    def coll(self, name: str) -> dict[str, dict[str, Any]]:
        return self.data[name]

    def insert(self, name: str, record: dict[str, Any]) -> dict[str, Any]:
        self.data[name][str(record["id"])] = record
        self.dirty = True
        return record

    def owned(self, name: str, account: str) -> list[dict[str, Any]]:
        return [r for r in self.data[name].values() if r.get("_account") == account]

    def get_owned(self, name: str, account: str, raw_id: Any, what: str | None = None) -> dict[str, Any]:
        """The account's record or 404 - another account's id is indistinguishable from a missing one."""
        record = self.data[name].get(str(raw_id).strip())
        if record is None or record.get("_account") != account:
            raise not_found(what or name)
        return record

    @property
    def catalog(self) -> dict[str, Any]:
        return self.data["catalog"]

    def account(self, name: str) -> dict[str, Any]:
        return self.data["accounts"][name]

    def plan_by_name(self, name: str) -> dict[str, Any] | None:
        return next((p for p in self.catalog["plans"] if p["name"] == name), None)

    def plan_by_id(self, plan_id: int) -> dict[str, Any] | None:
        return next((p for p in self.catalog["plans"] if p["id"] == plan_id), None)

    def image_by_id(self, image_id: int) -> dict[str, Any] | None:
        return next((i for i in self.catalog["images"] if i["id"] == image_id), None)

    # ---- persistence ------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a crash mid-write never leaves a half file behind."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".vpsbg-sim-", suffix=".json", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.data, fh, separators=(",", ":"))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.dirty = False

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> State:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError(f"{path}: not a simulator state file of version {STATE_VERSION}")
        return cls(data)


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its internal (``_``-prefixed) keys."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def require_int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(
            422, f"The {field} field must be an integer.", {field: [f"The {field} field must be an integer."]}
        )
    return value


def money(value: float) -> float:
    return round(value + 1e-9, 2)
