"""`client.isos`: the operations isos_list, isos_add, isos_get, isos_delete."""

from __future__ import annotations

from typing import Any

from ..calls import operation
from ..models import Iso
from ..results import Page
from ._base import Area, body

__all__ = ["IsosArea"]


class IsosArea(Area):
    """Operations of the `isos` area of the VPSBG API."""

    @operation("isos_list")
    def list(self) -> Page[Iso]:
        """List ISOs (inferred route: `x-unverified` in the reference)."""
        return self._page("isos_list", Iso)

    @operation("isos_add")
    def add(self, *, name: str | None = None, url: str | None = None) -> Any:
        """Add ISO (inferred route: `x-unverified` in the reference)."""
        return self._call("isos_add", json=body({}, name=name, url=url))

    @operation("isos_get")
    def get(self, id: int) -> Iso:
        """Get an ISO (inferred route: `x-unverified` in the reference)."""
        return self._call("isos_get", model=Iso, path={"id": id})

    @operation("isos_delete")
    def delete(self, id: int) -> None:
        """Delete an ISO (inferred route: `x-unverified` in the reference)."""
        self._call("isos_delete", path={"id": id})
