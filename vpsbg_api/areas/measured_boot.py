"""`client.measured_boot`: the operations measured_boot_images_list, measured_boot_images_upload,
measured_boot_images_delete.
"""

from __future__ import annotations

from ..calls import operation
from ..models import MeasuredBootImage
from ..results import Page
from ._base import Area, FileInput

__all__ = ["MeasuredBootArea"]


class MeasuredBootArea(Area):
    """Operations of the `measured_boot` area of the VPSBG API."""

    @operation("measured_boot_images_list")
    def images_list(self) -> Page[MeasuredBootImage]:
        """List measured boot images (inferred route: `x-unverified` in the reference)."""
        return self._page("measured_boot_images_list", MeasuredBootImage)

    @operation("measured_boot_images_upload")
    def images_upload(self, *, file: FileInput) -> MeasuredBootImage:
        """Upload measured boot image (inferred route: `x-unverified` in the reference)."""
        return self._call(
            "measured_boot_images_upload", model=MeasuredBootImage, form={}, files={"file": file}
        )

    @operation("measured_boot_images_delete")
    def images_delete(self, id: int) -> None:
        """Delete measured boot image (inferred route: `x-unverified` in the reference)."""
        self._call("measured_boot_images_delete", path={"id": id})
