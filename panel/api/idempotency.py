"""`Idempotency-Key` on API writes: one execution per key, the same answer every time.

The record (token, key) is inserted BEFORE the work runs; the unique constraint makes a second
request with the key, concurrent or later, find it instead of running the work:

- same method, path and body, finished: the stored status and body, `Idempotent-Replayed: true`,
  and no second VPSBG call;
- same key with a different method, path or body: 422 (`idempotency_key_reused`);
- still running: the second request waits up to `PANEL_API_IDEMPOTENCY_WAIT` seconds for the
  first to finish, then answers 409 (`idempotency_in_progress`) to be retried.

Transient failures (5xx, 423 busy, 429 rate limited) are not stored: the work did not happen, and
retrying with the same key is the point. Keys are remembered `PANEL_API_IDEMPOTENCY_HOURS`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from panel.core.errors import InvalidInput, PanelError

from .errors import exception_handler
from .models import IdempotencyRecord, PanelApiToken

__all__ = ["HEADER", "body_hash", "run_once"]

HEADER = "Idempotency-Key"
TRANSIENT = frozenset({408, 423, 429})
KEPT_HEADERS = ("Location", "Content-Location")

sleep: Callable[[float], None] = time.sleep  # replaced in tests


class InProgress(PanelError):
    status = 409
    code = "idempotency_in_progress"
    default_message = "A request with this Idempotency-Key is still running; retry in a moment."


def _digest_value(value: Any) -> Any:
    if hasattr(value, "read") and hasattr(value, "seek"):
        value.seek(0)
        digest = hashlib.sha256(value.read()).hexdigest()
        value.seek(0)
        return {"file": getattr(value, "name", ""), "sha256": digest}
    if isinstance(value, dict):
        return {str(k): _digest_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_digest_value(v) for v in value]
    return value


def body_hash(request: Request) -> str:
    """A digest of what the request asks: canonical JSON of its body (files by content digest)."""
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict (form or multipart): every value of every field
        data = {k: v if len(v) != 1 else v[0] for k, v in data.lists()}
    canonical = json.dumps(_digest_value(data), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise InvalidInput(
            f"The {HEADER} header must be 1 to 255 printable characters.",
            fields={HEADER: ["1 to 255 printable characters."]},
        )
    return key


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status)
    for name, value in (record.response_headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _existing(token: PanelApiToken, key: str, request: Request, digest: str) -> Response | None:
    """The answer stored under the key (waiting while it runs); None if the key was let go."""
    deadline = time.monotonic() + float(getattr(settings, "PANEL_API_IDEMPOTENCY_WAIT", 10.0))
    while True:
        record = IdempotencyRecord.objects.filter(token=token, key=key).first()
        if record is None:  # the first request failed transiently and let the key go
            return None
        if record.method != request.method or record.path != request.path or record.body_hash != digest:
            raise InvalidInput(
                f"This {HEADER} was already used for a different request "
                f"({record.method} {record.path} with another body). Use a new key for a new request.",
                code="idempotency_key_reused",
            )
        if record.completed:
            return _replay(record)
        if time.monotonic() >= deadline:
            raise InProgress()
        sleep(0.05)


def _claim(token: PanelApiToken, key: str, request: Request, digest: str) -> IdempotencyRecord | Response:
    """Insert the key's record (ours to run), or the answer of the request that holds it."""
    for _ in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    token=token,
                    key=key,
                    method=request.method or "",
                    path=request.path[:500],
                    body_hash=digest,
                )
        except IntegrityError:
            answer = _existing(token, key, request, digest)
            if answer is not None:
                return answer
    raise InProgress()


def run_once(request: Request, token: PanelApiToken, compute: Callable[[], Any]) -> Any:
    """Run `compute()` at most once per `Idempotency-Key` of `token` (see the module docstring)."""
    key = _key(request)
    if key is None:
        return compute()
    digest = body_hash(request)
    hours = int(getattr(settings, "PANEL_API_IDEMPOTENCY_HOURS", 24))
    IdempotencyRecord.objects.filter(
        token=token, created_at__lt=timezone.now() - timedelta(hours=hours)
    ).delete()
    claimed = _claim(token, key, request, digest)
    if not isinstance(claimed, IdempotencyRecord):
        return claimed
    record = claimed
    try:
        response = compute()
    except Exception as exc:
        response = exception_handler(exc, {"request": request})
        if response is None:
            record.delete()
            raise
    if not isinstance(response, Response) or response.status_code >= 500 or response.status_code in TRANSIENT:
        record.delete()
        return response
    record.completed = True
    record.status = response.status_code
    record.response_body = response.data
    record.response_headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
    record.save(update_fields=["completed", "status", "response_body", "response_headers"])
    return response
