"""`client.snapshots`: the operations snapshots_list, snapshots_delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from ..calls import operation
from ..models import Snapshot
from ..results import Page
from ._base import Area

__all__ = ["SnapshotsArea"]


class SnapshotsArea(Area):
    """Operations of the `snapshots` area of the VPSBG API."""

    @operation("snapshots_list")
    def list(
        self,
        *,
        page: int | None = None,
        date: str | None = None,
        server_id: int | None = None,
        sort: Literal["date", "-date"] | None = None,
    ) -> Page[Snapshot]:
        """List snapshots."""
        return self._page(
            "snapshots_list",
            Snapshot,
            query={"page": page, "filter[date]": date, "filter[server_id]": server_id, "sort": sort},
        )

    def iter_all(
        self,
        *,
        date: str | None = None,
        server_id: int | None = None,
        sort: Literal["date", "-date"] | None = None,
    ) -> Iterator[Snapshot]:
        """Every item of `list`, walking all pages lazily."""
        return self._walk(lambda n: self.list(date=date, server_id=server_id, sort=sort, page=n))

    @operation("snapshots_delete")
    def delete(self, id: int) -> None:
        """Delete snapshot (inferred route: `x-unverified` in the reference)."""
        self._call("snapshots_delete", path={"id": id})
