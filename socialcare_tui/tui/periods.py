"""Calendar windows for the app (palette: today, yesterday, this week, last week, this
month, last month, or from/to dates), beside the rolling 24h/7d/30d. Days, weeks
(Monday first) and months are local to config `timezone`; the bounds are naive UTC,
half-open [start, end) like --from/--to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from socialcare_tui.errors import UserError
from socialcare_tui.timeparse import zone

PRESETS = ("today", "yesterday", "this week", "last week", "this month", "last month")


@dataclass(frozen=True)
class Period:
    label: str  # what the header says: "last week", or "2024-03-01 → 2024-03-08"
    start: datetime  # naive UTC, inclusive
    end: datetime  # naive UTC, exclusive


def preset(name: str, now: datetime, tz: str = "UTC") -> Period:
    """The calendar period `name` around `now` (naive UTC: the data's as-of)."""
    zone_info = zone(tz)
    local = now.replace(tzinfo=UTC).astimezone(zone_info)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0).date()
    if name in ("today", "yesterday"):
        first = today - timedelta(days=0 if name == "today" else 1)
        after = first + timedelta(days=1)
    elif name in ("this week", "last week"):
        first = today - timedelta(days=today.weekday() + (0 if name == "this week" else 7))
        after = first + timedelta(days=7)
    elif name in ("this month", "last month"):
        first = today.replace(day=1)
        if name == "last month":
            first = (first - timedelta(days=1)).replace(day=1)
        after = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        raise UserError(f"window '{name}': unknown (known: {', '.join(PRESETS)})")
    return Period(name, _utc(first, zone_info), _utc(after, zone_info))


def custom(start: datetime, end: datetime) -> Period:
    if start >= end:
        raise UserError(f"window: {start:%Y-%m-%d %H:%M} is not before {end:%Y-%m-%d %H:%M}")
    return Period(f"{_short(start)} → {_short(end)}", start, end)


def _utc(day, zone_info) -> datetime:
    """Local midnight of `day` as naive UTC (DST-safe: midnight is found in the zone)."""
    local = datetime(day.year, day.month, day.day, tzinfo=zone_info)
    return local.astimezone(UTC).replace(tzinfo=None)


def _short(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}" if (moment.hour, moment.minute) == (0, 0) else f"{moment:%Y-%m-%d %H:%M}"
