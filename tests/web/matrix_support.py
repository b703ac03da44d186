"""Permission-matrix rows of the support area's web pages, merged into `tests/permission_matrix.py`.

Import the shared builders from `tests.permission_matrix` (it imports this module at its end).
"""

from __future__ import annotations

from tests.permission_matrix import KwargsBuilder

URLS: dict[str, tuple[str, str | None, KwargsBuilder]] = {}
