"""The chain's head published outside the database, so cutting the newest events is caught.

The chain head row (`AuditChainHead`) lives in the database: whoever can delete the newest events
can move it back too, and the shortened chain verifies. So beat publishes the head on a schedule
(`publish_head`, every `AUDIT_HEAD_PUBLISH_INTERVAL` seconds): one `audit_chain_head` log line
(for a log collector off the host) and the file `AUDIT_HEAD_FILE` (for `verify_audit_chain`).
`verify()` then checks that the published event is still in the chain, unchanged.

A publication never goes backwards: when the database no longer holds the previously published
head, the file is left as it is (the evidence) and an `audit_chain_rewound` error is logged.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import structlog
from django.conf import settings
from django.utils import timezone

from .models import AuditChainHead, AuditEvent, AuditPurge

logger = structlog.get_logger(__name__)

HEAD_TEXT = re.compile(r"^#?(?P<seq>\d{1,19})[:\s]+(?P<hash>[0-9a-f]{64})$")


class HeadFileError(Exception):
    """`AUDIT_HEAD_FILE` exists but cannot be read as a published head."""


@dataclass(frozen=True)
class PublishedHead:
    seq: int
    hash: str
    published_at: str = ""

    def __str__(self) -> str:
        when = f" published {self.published_at}" if self.published_at else ""
        return f"#{self.seq} {self.hash}{when}"


def head_file() -> Path | None:
    """Where the head is published (None: `AUDIT_HEAD_FILE` is empty, the log line only)."""
    value = getattr(settings, "AUDIT_HEAD_FILE", "")
    return Path(value) if value else None


def parse_head(text: str) -> PublishedHead:
    """`SEQ:HASH` (or `#SEQ HASH`, as the log line and `verify_audit_chain` print it)."""
    match = HEAD_TEXT.match((text or "").strip())
    if match is None:
        raise ValueError("a published head is written SEQ:HASH (the sequence number and 64 hex characters)")
    return PublishedHead(int(match["seq"]), match["hash"])


def read_published_head(path: Path | None = None) -> PublishedHead | None:
    """The head in `AUDIT_HEAD_FILE` (None when nothing was published yet)."""
    path = path or head_file()
    if path is None or not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        return PublishedHead(int(data["seq"]), str(data["hash"]), str(data.get("published_at", "")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problem = f"the published audit head {path} cannot be read ({type(exc).__name__})"
        raise HeadFileError(problem) from None


def published_head_problem(published: Any, *, last_seq: int, anchor: AuditPurge | None) -> str:
    """Why the chain does not contain the published head ("" when it does, or none is known).

    `published` is a `PublishedHead`, None, or "file" (read `AUDIT_HEAD_FILE`); `last_seq` is
    the chain's last sequence number; `anchor` the latest purge checkpoint.
    """
    if published == "file":
        try:
            published = read_published_head()
        except HeadFileError as exc:
            return str(exc)
    if published is None or published.seq == 0:
        return ""
    if published.seq > last_seq:
        missing = f"#{last_seq + 1}..#{published.seq}"
        return (
            f"event(s) {missing} missing at the end of the chain: the head published outside the "
            f"database is {published}"
        )
    if anchor is not None and published.seq <= anchor.anchor_seq:
        if published.seq == anchor.anchor_seq and published.hash != anchor.anchor_hash:
            return f"the purge checkpoint #{anchor.anchor_seq} does not match the published head {published}"
        return ""  # purged since it was published
    stored = AuditEvent.objects.filter(seq=published.seq).values_list("hash", flat=True).first()
    if stored != published.hash:
        return (
            f"event #{published.seq} is not the one published outside the database ({published}): "
            "the chain was rewritten from there or earlier"
        )
    return ""


def _write(path: Path, head: PublishedHead) -> None:
    """Replace the file atomically (a reader never sees half a head)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".audit-head-")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(head), handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish_head() -> PublishedHead | None:
    """Log the chain's head and write it to `AUDIT_HEAD_FILE`; None when it is not published.

    Refuses (logs `audit_chain_rewound`, keeps the file) when the database no longer holds the
    head published before, or when the file cannot be read.
    """
    row = AuditChainHead.objects.filter(pk=1).first()
    current = PublishedHead(
        row.last_seq if row else 0, row.last_hash if row else "0" * 64, timezone.now().isoformat()
    )
    anchor = AuditPurge.objects.order_by("-anchor_seq").first()
    problem = published_head_problem("file", last_seq=current.seq, anchor=anchor)
    if problem:
        logger.error("audit_chain_rewound", problem=problem, seq=current.seq, hash=current.hash)
        return None
    logger.info("audit_chain_head", seq=current.seq, hash=current.hash)
    path = head_file()
    if path is not None:
        _write(path, current)
    return current
