"""When a schedule runs: every N minutes from its anchor, or a five-field cron expression read in
the schedule's time zone (wall-clock times: "0 3 * * *" is 03:00 there, summer and winter).

`now()` is the clock everything here reads, so tests freeze it. Cron fields follow the usual
meaning: minute, hour, day of month, month, day of week (0 or 7 = Sunday, names allowed); when
both day fields are restricted, a day matching either runs (as cron does). A wall-clock time that
does not exist on a spring-forward day is skipped; one that happens twice runs once (the first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from celery.schedules import ParseException, crontab_parser
from django.utils import timezone

from panel.core.errors import InvalidInput

__all__ = ["Cron", "next_after", "next_runs", "now", "parse_cron", "zone"]

now: Callable[[], datetime] = timezone.now

DAY_NAMES = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
MONTH_NAMES = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
SEARCH_DAYS = 366 * 8  # "29 2 * * 1" may wait years; never loop for ever


@dataclass(frozen=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.weekday() + 1) % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_month or in_week
        return in_month and in_week


def _names(text: str, names: dict[str, int]) -> str:
    out = text.lower()
    for name, number in names.items():
        out = out.replace(name, str(number))
    return out


def _field(text: str, high: int, low: int, what: str) -> set[int]:
    try:
        values = crontab_parser(high, low).parse(text)
    except (ParseException, ValueError) as exc:
        raise InvalidInput(
            f"The cron {what} “{text[:20]}” cannot be read: {exc}.", fields={"cron": [f"Check the {what}."]}
        ) from None
    if not values:
        raise InvalidInput(f"The cron {what} “{text[:20]}” matches nothing.", fields={"cron": ["Empty."]})
    return set(values)


def parse_cron(expression: str) -> Cron:
    """Five fields, or `InvalidInput` saying which one is wrong."""
    parts = (expression or "").split()
    if len(parts) != 5:
        raise InvalidInput(
            "A cron expression has five fields: minute, hour, day of month, month, day of week "
            "(e.g. “0 3 * * *” for 03:00 every day).",
            fields={"cron": ["Five fields, e.g. 0 3 * * *."]},
        )
    minute, hour, dom, month, dow = parts
    weekdays = {d % 7 for d in _field(_names(dow, DAY_NAMES), 8, 0, "day of week")}
    return Cron(
        minutes=tuple(sorted(_field(minute, 60, 0, "minute"))),
        hours=tuple(sorted(_field(hour, 24, 0, "hour"))),
        days=frozenset(_field(dom, 31, 1, "day of month")),
        months=frozenset(_field(_names(month, MONTH_NAMES), 12, 1, "month")),
        weekdays=frozenset(weekdays),
        days_restricted=dom != "*",
        weekdays_restricted=dow != "*",
    )


def zone(name: str) -> ZoneInfo:
    if name not in available_timezones():
        raise InvalidInput(f"Unknown time zone “{name[:64]}”.", fields={"time_zone": ["Choose a time zone."]})
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        raise InvalidInput(f"Unknown time zone “{name[:64]}”.", fields={"time_zone": ["Unknown."]}) from None


def _exists(naive: datetime, tz: ZoneInfo) -> datetime | None:
    """The aware moment of a wall-clock time, or None when the clocks skip it (spring forward)."""
    aware = naive.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return aware if back == naive else None


def cron_after(cron: Cron, tz: ZoneInfo, after: datetime) -> datetime | None:
    local = after.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=1)
    day = local.date()
    for _ in range(SEARCH_DAYS):
        if cron.day_matches(day):
            for hour in cron.hours:
                for minute in cron.minutes:
                    naive = datetime.combine(day, time(hour, minute))
                    if naive < local:
                        continue
                    aware = _exists(naive, tz)
                    if aware is not None and aware > after:
                        return aware.astimezone(UTC)
        day += timedelta(days=1)
    return None


def next_after(
    *, interval_minutes: int | None, cron: str, time_zone: str, anchor: datetime, after: datetime
) -> datetime | None:
    """The first run strictly after `after` (None: the expression never matches again)."""
    if interval_minutes:
        step = timedelta(minutes=interval_minutes)
        if after < anchor:
            return anchor
        passed = (after - anchor) // step
        return anchor + (passed + 1) * step
    return cron_after(parse_cron(cron), zone(time_zone), after)


def next_runs(schedule: object, count: int = 5, after: datetime | None = None) -> list[datetime]:
    """The schedule's next `count` runs after `after` (default: now)."""
    moment = after or now()
    found: list[datetime] = []
    for _ in range(count):
        following = next_after(
            interval_minutes=getattr(schedule, "interval_minutes", None),
            cron=getattr(schedule, "cron", ""),
            time_zone=getattr(schedule, "time_zone", "UTC"),
            anchor=getattr(schedule, "anchor", moment),
            after=moment,
        )
        if following is None:
            break
        found.append(following)
        moment = following
    return found


def slots_between(schedule: object, start: datetime, end: datetime, limit: int = 10000) -> int:
    """How many runs fell in (start, end]: the missed ones, told on the run that replaces them."""
    count, moment = 0, start
    while count < limit:
        following = next_after(
            interval_minutes=getattr(schedule, "interval_minutes", None),
            cron=getattr(schedule, "cron", ""),
            time_zone=getattr(schedule, "time_zone", "UTC"),
            anchor=getattr(schedule, "anchor", start),
            after=moment,
        )
        if following is None or following > end:
            break
        count, moment = count + 1, following
    return count
