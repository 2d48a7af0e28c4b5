"""The one duration formatter: `45s`, `14m`, `2h 05m`, `3d 04h` (floored to the unit
shown). The CLI (output.py) writes a negative duration with `-`, the app
(tui/format.py) with a real minus sign `−`."""

from __future__ import annotations

import math

DASH = "—"


def human_duration(seconds: float | None, minus: str = "-") -> str:
    """A number of seconds as a person reads it; None and NaN are `—`."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return DASH
    sign = minus if seconds < 0 else ""
    total = int(abs(seconds))
    if total < 60:
        return f"{sign}{total}s"
    minutes = total // 60
    if minutes < 60:
        return f"{sign}{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d {hours:02d}h"
