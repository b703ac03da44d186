"""`client.backups`: the operations backups_list, backups_delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from ..calls import operation
from ..models import Backup
from ..results import Page
from ._base import Area

__all__ = ["BackupsArea"]


class BackupsArea(Area):
    """Operations of the `backups` area of the VPSBG API."""

    @operation("backups_list")
    def list(
        self,
        *,
        page: int | None = None,
        date: str | None = None,
        server_id: int | None = None,
        size: int | None = None,
        sort: Literal["date", "-date"] | None = None,
    ) -> Page[Backup]:
        """List backups."""
        return self._page(
            "backups_list",
            Backup,
            query={
                "page": page,
                "filter[date]": date,
                "filter[server_id]": server_id,
                "filter[size]": size,
                "sort": sort,
            },
        )

    def iter_all(
        self,
        *,
        date: str | None = None,
        server_id: int | None = None,
        size: int | None = None,
        sort: Literal["date", "-date"] | None = None,
    ) -> Iterator[Backup]:
        """Every item of `list`, walking all pages lazily."""
        return self._walk(lambda n: self.list(date=date, server_id=server_id, size=size, sort=sort, page=n))

    @operation("backups_delete")
    def delete(self, id: int) -> None:
        """Delete backup (inferred route: `x-unverified` in the reference)."""
        self._call("backups_delete", path={"id": id})
