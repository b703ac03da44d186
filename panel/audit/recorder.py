"""The public API of the audit log: `record(...)`.

The service layer calls `record()` once per write (success, upstream failure or denial) and per
sensitive read. It runs in the caller's transaction, so the event commits or rolls back with the
local change it describes; appends are serialized by the chain-head lock (see `chain.lock_head`),
which is held until the caller's transaction ends: keep slow upstream calls out of that span
where you can.

Bad input from callers (unknown outcome, empty operationId) raises `ValueError`: it is a bug in
the caller, and failing loudly beats an event that says the wrong thing.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from panel.core import metrics
from panel.core.request_id import current_request_id

from . import chain
from .models import AuditEvent, Outcome
from .redaction import clean_text, redact, scrub_text

__all__ = ["Outcome", "actor_name_for", "prepare", "record", "request_context"]

_OUTCOMES = frozenset(Outcome.values)


def actor_name_for(user: Any) -> str:
    """How a user is named in the log: "Full Name <email>" or the email alone."""
    email = getattr(user, "email", "") or ""
    full_name = (getattr(user, "full_name", "") or "").strip()
    if full_name and email:
        return f"{full_name} <{email}>"
    return full_name or email or str(user)


def _normalize_ip(value: str) -> str:
    try:
        ip = ipaddress.ip_address(value.strip().split("%", 1)[0])
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.compressed


def request_context(request: HttpRequest | None) -> dict[str, str]:
    """Request id, client IP and user agent of `request` (empty strings when unknown).

    The request id is the one `RequestIdMiddleware` set (`request.request_id`), else the incoming
    `X-Request-ID` header; without a request, the id bound to the current task's log context.
    The client IP is `request.client_ip` when a proxy-aware middleware set it, else `REMOTE_ADDR`:
    forwarded headers are not trusted here.
    """
    if request is None:
        # A Celery task or command: the request id bound by the request that enqueued it, if any.
        return {"request_id": clean_text(current_request_id() or "", 128), "client_ip": "", "user_agent": ""}
    meta = getattr(request, "META", {}) or {}
    request_id = getattr(request, "request_id", None) or meta.get("HTTP_X_REQUEST_ID", "")
    ip = getattr(request, "client_ip", None) or meta.get("REMOTE_ADDR", "") or ""
    return {
        "request_id": clean_text(request_id, 128),
        "client_ip": _normalize_ip(str(ip)),
        "user_agent": clean_text(meta.get("HTTP_USER_AGENT", ""), 500),
    }


def _safe_url(value: str) -> str:
    """Keep a site-relative path or an http(s) URL; anything else (javascript:, //host) is dropped."""
    text = clean_text(value, 500).strip()
    if (text.startswith("/") and not text.startswith("//")) or text.startswith(("https://", "http://")):
        return text
    return ""


def _status(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        status = int(value)
    except (TypeError, ValueError):
        return None
    return status if 0 <= status <= 999 else None


def record(
    *,
    actor: Any = None,
    actor_label: str | None = None,
    api_token_label: str | None = None,
    team: Any = None,
    operation_id: str,
    target_type: str = "",
    target_id: Any = "",
    target_label: str = "",
    token_id: int | None = None,
    token_name: str = "",
    params: dict[str, Any] | None = None,
    outcome: str,
    upstream_status: int | None = None,
    upstream_message: str = "",
    request: HttpRequest | None = None,
    operation_url: str = "",
    reason: str = "",
) -> AuditEvent:
    """Append one audit event and return it.

    `actor` is a user (or None for the system / an anonymous caller); `actor_label` overrides the
    name stored for it; `api_token_label` names the panel API token when the call came through the
    REST API. `token_id`/`token_name` name the VPSBG token used (never its secret). `params` are
    redacted recursively before anything is stored.
    """
    event = chain.append(prepare(**locals()))
    action, outcome = event.operation_id, event.outcome
    transaction.on_commit(lambda: metrics.audit_event_recorded(action, outcome), robust=True)
    return event


def prepare(
    *,
    actor: Any = None,
    actor_label: str | None = None,
    api_token_label: str | None = None,
    team: Any = None,
    operation_id: str,
    target_type: str = "",
    target_id: Any = "",
    target_label: str = "",
    token_id: int | None = None,
    token_name: str = "",
    params: dict[str, Any] | None = None,
    outcome: str,
    upstream_status: int | None = None,
    upstream_message: str = "",
    request: HttpRequest | None = None,
    operation_url: str = "",
    reason: str = "",
) -> dict[str, Any]:
    """Validate, clean and redact the arguments of `record()` into the values of one event.

    Separate from `record()` so batch writers (`chain.append_many`) build events the same way.
    """
    if not isinstance(operation_id, str) or not operation_id.strip():
        raise ValueError("record() needs a non-empty operation_id.")
    if outcome not in _OUTCOMES:
        raise ValueError(f"record() outcome must be one of {sorted(_OUTCOMES)}, not {outcome!r}.")
    if params is not None and not isinstance(params, dict):
        raise ValueError("record() params must be a dict or None.")

    user = actor if (actor is not None and getattr(actor, "is_authenticated", False) and actor.pk) else None
    if actor_label:
        name = actor_label
    elif user is not None:
        name = actor_name_for(user)
    elif actor is not None and not getattr(actor, "is_authenticated", True):
        name = "anonymous"
    else:
        name = "" if api_token_label else "system"

    if team is not None and getattr(team, "pk", None) is None:
        raise ValueError("record() team must be a saved Team or None.")
    try:
        token_id_value = int(token_id) if token_id not in (None, "") else None
    except (TypeError, ValueError):
        raise ValueError(f"record() token_id must be an integer, not {token_id!r}.") from None

    values: dict[str, Any] = {
        "actor": user,
        "actor_user_id": user.pk if user is not None else None,
        "actor_name": clean_text(name, 255),
        "actor_api_token": clean_text(api_token_label or "", 255),
        "team": team,
        "team_ref_id": team.pk if team is not None else None,
        "team_name": clean_text(getattr(team, "name", "") if team is not None else "", 255),
        "operation_id": clean_text(operation_id.strip(), 100),
        "target_type": clean_text(target_type, 64),
        "target_id": clean_text(target_id, 128),
        "target_label": clean_text(target_label, 255),
        "token_id": token_id_value,
        "token_name": clean_text(token_name, 255),
        "params": redact(params or {}),
        "outcome": outcome,
        "upstream_status": _status(upstream_status),
        "upstream_message": clean_text(scrub_text(str(upstream_message or "")), 5000),
        "operation_url": _safe_url(operation_url),
        "reason": clean_text(reason, 2000),
        **request_context(request),
    }
    return values
