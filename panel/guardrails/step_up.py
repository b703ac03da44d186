"""Step-up: approving a held request needs a second factor proven within the last few minutes.

In the browser, the moment the session last proved one (`second_factor.VERIFIED_AT_SESSION_KEY`,
set at sign-in and by the code asked on the approval page); through the API, a `code` in the body
(a panel API token has no session). A person with no second factor cannot approve at all.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from panel.accounts import second_factor

__all__ = ["fresh", "has_factor", "prove", "prove_code", "window_seconds"]
NO_FACTOR = "Approving needs a second factor: set up an authenticator app on the Security page first."


def has_factor(user: Any) -> bool:
    return second_factor.has_confirmed_device(user)


def window_seconds() -> int:
    return int(getattr(settings, "GUARDRAILS_STEP_UP_SECONDS", 300))


def fresh(request: HttpRequest) -> bool:
    """True when this session proved a second factor within `GUARDRAILS_STEP_UP_SECONDS`."""
    at = request.session.get(second_factor.VERIFIED_AT_SESSION_KEY) if hasattr(request, "session") else None
    return isinstance(at, int) and 0 <= time.time() - at <= window_seconds()


def prove(request: HttpRequest, code: str) -> bool:
    """Check `code` in this session (the session then counts as freshly verified)."""
    return second_factor.verify(request, code) is not None


def prove_code(user: Any, code: str) -> bool:
    """Check `code` for `user` with no session (the API)."""
    return second_factor.check_code(user, code) is not None
