"""`client.support`: the operations support_tickets_create, support_tickets_list,
support_tickets_reply, support_tickets_get, support_departments_list, support_related_services_list,
support_tickets_resolve, support_tickets_attachment_download.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..calls import operation
from ..models import Ticket
from ..results import Download, Page
from ._base import Area, FileInput

__all__ = ["SupportArea"]


class SupportArea(Area):
    """Operations of the `support` area of the VPSBG API."""

    @operation("support_tickets_create")
    def tickets_create(
        self,
        *,
        department_id: int,
        subject: str,
        message: str,
        attachments: Sequence[FileInput] | None = None,
        service_id: int | None = None,
        service_type: str | None = None,
    ) -> Ticket:
        """Create new ticket."""
        return self._call(
            "support_tickets_create",
            model=Ticket,
            form={
                "department_id": department_id,
                "subject": subject,
                "message": message,
                "service_id": service_id,
                "service_type": service_type,
            },
            files={"attachments[]": attachments},
        )

    @operation("support_tickets_list")
    def tickets_list(self, *, page: int | None = None, per_page: int | None = None) -> Page[Ticket]:
        """List tickets (inferred route: `x-unverified` in the reference)."""
        return self._page("support_tickets_list", Ticket, query={"page": page, "per_page": per_page})

    def tickets_iter_all(self, *, per_page: int | None = 50) -> Iterator[Ticket]:
        """Every item of `tickets_list`, walking all pages lazily (per_page items at a time)."""
        return self._walk(lambda n: self.tickets_list(per_page=per_page, page=n))

    @operation("support_tickets_reply")
    def tickets_reply(
        self, id: int | str, *, message: str, attachments: Sequence[FileInput] | None = None
    ) -> Ticket:
        """Reply to ticket."""
        return self._call(
            "support_tickets_reply",
            model=Ticket,
            path={"id": id},
            form={"message": message},
            files={"attachments[]": attachments},
        )

    @operation("support_tickets_get")
    def tickets_get(self, id: int | str) -> Ticket:
        """Get a ticket (inferred route: `x-unverified` in the reference)."""
        return self._call("support_tickets_get", model=Ticket, path={"id": id})

    @operation("support_departments_list")
    def departments_list(self) -> Page[dict[str, Any]]:
        """List departments (inferred route: `x-unverified` in the reference)."""
        return self._page("support_departments_list", dict[str, Any])

    @operation("support_related_services_list")
    def related_services_list(self) -> Page[dict[str, Any]]:
        """List related services (inferred route: `x-unverified` in the reference)."""
        return self._page("support_related_services_list", dict[str, Any])

    @operation("support_tickets_resolve")
    def tickets_resolve(self, id: int | str) -> Any:
        """Mark ticket as resolved (inferred route: `x-unverified` in the reference)."""
        return self._call("support_tickets_resolve", path={"id": id})

    @operation("support_tickets_attachment_download")
    def tickets_attachment_download(self, id: int | str, attachment_id: int) -> Download:
        """Download attachment (inferred route: `x-unverified` in the reference)."""
        return self._download(
            "support_tickets_attachment_download", path={"id": id, "attachment_id": attachment_id}
        )
