"""Business hours: the calendar of open intervals and business seconds in SQL.

    install(cur, hours, as_of)
        Builds, on `cur`, the TEMP table `bh_open` (open intervals in naive UTC,
        from each schedule's weekly hours, timezone and holidays) covering the
        events' dates and as_of, and the macros `bh_at(cal, t)` and
        `secs(a, b, cal)` = open seconds of calendar `cal` between a and b
        (kpi/sql/calendar.sql). `secs(a, b)` stays calendar seconds.

    cal_params(hours) -> {"bh_channels": [...], "bh_queues": [...]}
        The channels and queues that have their own schedule. A conversation's
        calendar is 'queue:<queue>' when its queue has one, else
        'channel:<channel>' when its channel has one, else 'default'
        (the same order as SLA overrides).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.config import BusinessHours, Schedule

PACKAGE = "socialcare_tui.kpi.sql"
DEFAULT = "default"


def calendars(hours: BusinessHours) -> dict[str, Schedule]:
    """Every calendar key with its schedule."""
    out = {DEFAULT: hours.default}
    out.update({f"channel:{name}": s for name, s in hours.channel.items()})
    out.update({f"queue:{name}": s for name, s in hours.queue.items()})
    return out


def cal_params(hours: BusinessHours | None) -> dict[str, list[str]]:
    if hours is None:
        return {"bh_channels": [], "bh_queues": []}
    return {"bh_channels": sorted(hours.channel), "bh_queues": sorted(hours.queue)}


def _hour_rows(cal: str, schedule: Schedule) -> list[tuple]:
    return [(cal, schedule.timezone, weekday + 1, start, end)
            for weekday, ranges in enumerate(schedule.week) for start, end in ranges]


def _closed_rows(cal: str, schedule: Schedule, first: date, last: date) -> list[tuple]:
    days = set(schedule.holidays)
    if schedule.country:
        import holidays  # imported only when a country is configured

        years = range(first.year, last.year + 1)
        days |= set(holidays.country_holidays(schedule.country, years=years))
    return [(cal, day) for day in sorted(days) if first <= day <= last]


def covered_days(cur: duckdb.DuckDBPyConnection, as_of: datetime | None) -> tuple[date, date] | None:
    """The UTC dates the calendar must cover: the events' and as_of's, a day either side."""
    lo, hi = cur.execute("SELECT min(ts), max(ts) FROM events").fetchone() or (None, None)
    stamps = [t for t in (lo, hi, as_of) if t is not None]
    if not stamps:
        return None
    return min(stamps).date() - timedelta(days=1), max(stamps).date() + timedelta(days=1)


def install(cur: duckdb.DuckDBPyConnection, hours: BusinessHours, as_of: datetime | None) -> None:
    statements = sqlfiles.named(PACKAGE, "calendar.sql")
    span = covered_days(cur, as_of)
    first, last = span if span else (date(2000, 1, 1), date(1999, 12, 31))  # empty: no days
    cur.execute(statements["inputs"])
    cur.execute(statements["closed"])
    hour_rows, closed_rows = [], []
    for cal, schedule in calendars(hours).items():
        hour_rows += _hour_rows(cal, schedule)
        # local dates reach one day beyond the UTC ones
        closed_rows += _closed_rows(cal, schedule, first - timedelta(days=1), last + timedelta(days=1))
    cur.executemany("INSERT INTO bh_hours VALUES (?, ?, ?, ?, ?)", hour_rows)
    if closed_rows:  # one statement with two lists: executemany takes ~0.1 ms a row
        cals, days = zip(*closed_rows)
        cur.execute(statements["add_closed"], {"cals": list(cals), "days": list(days)})
    cur.execute(statements["open"], {"first_day": first, "last_day": last})
    cur.execute(statements["open_at"])
    cur.execute(statements["secs"])
    cur.execute(statements["due_at"])
