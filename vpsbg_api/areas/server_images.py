"""`client.server_images`: the operations server_images_list."""

from __future__ import annotations

from ..calls import operation
from ..models import ServerImage
from ..results import Page
from ._base import Area

__all__ = ["ServerImagesArea"]


class ServerImagesArea(Area):
    """Operations of the `server_images` area of the VPSBG API."""

    @operation("server_images_list")
    def list(self) -> Page[ServerImage]:
        """List server images (inferred route: `x-unverified` in the reference)."""
        return self._page("server_images_list", ServerImage)
