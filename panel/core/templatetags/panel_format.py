"""How every page writes money and moments: built into the template engine (settings.TEMPLATES
"builtins"), so no template can forget to load it and no page writes an amount its own way.

- `eur`: an amount with its currency ("12.50 EUR"; VPSBG bills in euros, so EUR unless the
  upstream answer names another currency), a no-break space so the two never part.
- `moment`: a date and time in the member's time zone (the active one) with the time since or
  until it ("2026-12-05 08:40 · 3 hours ago"), in a <time> element machines can read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince, timeuntil

register = template.Library()

NBSP = "\u00a0"


@register.filter
def eur(value: object, currency: object = "") -> str:
    """`12.5` → "12.50 EUR"; empty or unreadable amounts → "—" (never a misleading 0.00)."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{amount:.2f}{NBSP}{str(currency or '').strip().upper() or 'EUR'}"


def _as_datetime(value: object) -> datetime | date | None:
    if isinstance(value, str):
        return parse_datetime(value) or parse_date(value[:10]) if value else None
    return value if isinstance(value, (datetime, date)) else None


@register.filter
def moment(value: object, style: str = "") -> SafeString | str:
    """A <time> in the member's time zone; `style="date"` shows the day only. Relative words
    follow ("3 hours ago", "in 2 days"); the full moment with its zone is the tooltip."""
    moment_ = _as_datetime(value)
    if moment_ is None:
        return "—" if not value else str(value)
    if not isinstance(moment_, datetime):
        moment_ = datetime(moment_.year, moment_.month, moment_.day, tzinfo=timezone.get_current_timezone())
    elif timezone.is_naive(moment_):
        moment_ = timezone.make_aware(moment_, UTC)
    local = timezone.localtime(moment_)
    now = timezone.now()
    if abs((now - local).total_seconds()) < 60:
        words = "just now"
    elif local <= now:
        words = f"{timesince(local, now, depth=1)} ago"
    else:
        words = f"in {timeuntil(local, now, depth=1)}"
    shown = f"{local:%Y-%m-%d}" if style == "date" else f"{local:%Y-%m-%d %H:%M}"
    zone = timezone.get_current_timezone_name()
    return format_html(
        '<span class="moment"><time datetime="{}" title="{} {}">{}</time> <span class="ago">{}</span></span>',
        local.isoformat(), f"{local:%Y-%m-%d %H:%M}", zone, shown, words.replace(NBSP, " "),
    )  # fmt: skip
