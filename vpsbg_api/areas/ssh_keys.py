"""`client.ssh_keys`: the operations ssh_keys_get, ssh_keys_update, ssh_keys_delete, ssh_keys_list,
ssh_keys_create.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..calls import operation
from ..models import SshKey
from ..results import Page
from ._base import Area, body

__all__ = ["SshKeysArea"]


class SshKeysArea(Area):
    """Operations of the `ssh_keys` area of the VPSBG API."""

    @operation("ssh_keys_get")
    def get(self, id: int | str) -> SshKey:
        """Get an SSH Key."""
        return self._call("ssh_keys_get", model=SshKey, path={"id": id})

    @operation("ssh_keys_update")
    def update(self, id: int | str, *, name: str | None = None, key: str | None = None) -> SshKey:
        """Update SSH Key."""
        return self._call("ssh_keys_update", model=SshKey, path={"id": id}, json=body({}, name=name, key=key))

    @operation("ssh_keys_delete")
    def delete(self, id: int | str) -> None:
        """Delete SSH Key (inferred route: `x-unverified` in the reference)."""
        self._call("ssh_keys_delete", path={"id": id})

    @operation("ssh_keys_list")
    def list(self, *, page: int | None = None) -> Page[SshKey]:
        """List SSH keys (inferred route: `x-unverified` in the reference)."""
        return self._page("ssh_keys_list", SshKey, query={"page": page})

    def iter_all(self) -> Iterator[SshKey]:
        """Every item of `list`, walking all pages lazily."""
        return self._walk(lambda n: self.list(page=n))

    @operation("ssh_keys_create")
    def create(self, *, name: str, key: str) -> SshKey:
        """Add SSH Key (inferred route: `x-unverified` in the reference)."""
        return self._call("ssh_keys_create", model=SshKey, json=body({"name": name, "key": key}))
