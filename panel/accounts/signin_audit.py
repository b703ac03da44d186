"""Sign-ins in the audit log: who signed in, who failed (password or second factor), who was locked out.

These events belong to no team (a person may be in several), so staff see them in the audit log.
The address typed on a failed attempt is kept only when it names an existing person: a password
typed into the email field by mistake must never reach the log. Recorded by the sign-in views, not
by Django's `user_logged_in` signal, so `force_login` in tests and scripts writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from panel.audit import recorder as audit

SIGN_IN = "accounts.sign_in"
SECOND_FACTOR = "accounts.second_factor"


def _person(email: str) -> Any:
    email = (email or "").strip()
    if not email or len(email) > 254:
        return None
    return get_user_model().objects.filter(email__iexact=email).first()


def _target(user: Any) -> dict[str, Any]:
    if user is None:
        return {"target_type": "user", "target_label": "no such account"}
    return {"target_type": "user", "target_id": user.pk, "target_label": user.email}


def signed_in(request: HttpRequest, user: Any) -> None:
    audit.record(actor=user, operation_id=SIGN_IN, outcome=audit.Outcome.OK, request=request, **_target(user))


def sign_in_failed(request: HttpRequest, email: str) -> None:
    audit.record(
        actor=None,
        actor_label="anonymous",
        operation_id=SIGN_IN,
        outcome=audit.Outcome.FAILED,
        upstream_message="Wrong email or password.",
        request=request,
        **_target(_person(email)),
    )


def locked_out(request: HttpRequest, email: str) -> None:
    audit.record(
        actor=None,
        actor_label="anonymous",
        operation_id=SIGN_IN,
        outcome=audit.Outcome.DENIED,
        upstream_message="Locked out after repeated failures.",
        request=request,
        **_target(_person(email)),
    )


def second_factor_checked(request: HttpRequest, user: Any, *, ok: bool) -> None:
    audit.record(
        actor=user,
        operation_id=SECOND_FACTOR,
        outcome=audit.Outcome.OK if ok else audit.Outcome.FAILED,
        upstream_message="" if ok else "Wrong or used code.",
        request=request,
        **_target(user),
    )


def password_refused(request: HttpRequest, user: Any, reason: str) -> None:
    """Right password, but a team of this person's allows only its identity provider."""
    audit.record(
        actor=None,
        actor_label="anonymous",
        operation_id=SIGN_IN,
        outcome=audit.Outcome.DENIED,
        reason=reason,
        params={"method": "password"},
        request=request,
        **_target(user),
    )
