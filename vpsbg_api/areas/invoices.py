"""`client.invoices`: the operations invoices_list, invoices_download, invoices_download_many."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..calls import operation
from ..models import Invoice
from ..results import Download, Page
from ._base import Area, body

__all__ = ["InvoicesArea"]


class InvoicesArea(Area):
    """Operations of the `invoices` area of the VPSBG API."""

    @operation("invoices_list")
    def list(self, *, page: int | None = None) -> Page[Invoice]:
        """List invoices."""
        return self._page("invoices_list", Invoice, query={"page": page})

    def iter_all(self) -> Iterator[Invoice]:
        """Every item of `list`, walking all pages lazily."""
        return self._walk(lambda n: self.list(page=n))

    @operation("invoices_download")
    def download(self, id: int) -> Download:
        """Download an invoice (inferred route: `x-unverified` in the reference)."""
        return self._download("invoices_download", path={"id": id})

    @operation("invoices_download_many")
    def download_many(self, *, ids: Sequence[int] | None = None) -> Download:
        """Download invoices (inferred route: `x-unverified` in the reference)."""
        return self._download("invoices_download_many", json=body({}, ids=ids))
