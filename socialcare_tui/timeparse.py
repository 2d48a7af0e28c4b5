"""Times and durations as users type them: ISO 8601 instants and `90m`/`24h`/`7d` spans."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from socialcare_tui.errors import UserError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


MAX_DURATION = timedelta(days=36525)  # 100 years: any longer span overflows a date somewhere


def parse_duration(text: str, what: str = "duration") -> timedelta:
    """`90m`, `24h`, `7d`, `2w`, `30s` (or a bare number of seconds), at most 100 years."""
    if isinstance(text, bool):
        raise UserError(f"{what}: '{text}' is not a duration (use e.g. 90m, 24h, 7d)")
    if isinstance(text, (int, float)):
        seconds = float(text)
    elif match := _DURATION.match(str(text)):
        number, unit = match.groups()
        seconds = float(number) * _UNIT_SECONDS[unit.lower()]
    else:
        try:
            seconds = float(text)
        except (TypeError, ValueError):
            seconds = math.nan
        if math.isnan(seconds):
            raise UserError(f"{what}: '{text}' is not a duration (use e.g. 90m, 24h, 7d)") from None
    if not math.isfinite(seconds) or abs(seconds) > MAX_DURATION.total_seconds():
        raise UserError(f"{what}: '{text}' is too long a span (at most 100 years, e.g. 36500d)")
    return timedelta(seconds=seconds)


def zone(name: str, what: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"{what}: '{name}' is not an IANA timezone (e.g. UTC, Europe/Paris)") from None


def parse_instant(text: str, tz: str = "UTC", what: str = "time") -> datetime:
    """An ISO 8601 time as a naive UTC datetime; without an offset it is read in `tz`."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(
            f"{what}: '{text}' is not an ISO 8601 time (e.g. 2017-10-31 or 2017-10-31T22:00+01:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz))
    return value.astimezone(UTC).replace(tzinfo=None)


def parse_time_or_relative(text: str, now: datetime, tz: str = "UTC", what: str = "time") -> datetime:
    """ISO 8601, or a span (`24h`) meaning that long before `now` (naive UTC)."""
    if _DURATION.match(text):
        return now - parse_duration(text, what)
    return parse_instant(text, tz, what)


def iso_utc(value: datetime | None) -> str | None:
    """Naive-UTC datetime to `2017-10-31T22:10:47Z`."""
    if value is None:
        return None
    text = value.replace(tzinfo=None).isoformat()
    return text + "Z"
