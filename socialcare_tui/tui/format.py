"""Numbers in human units for the app: `14m`, `2h 05m`, `87.2%`, `+32`.

Pure functions, no Textual: the panels, tables and tests share them.
"""

from __future__ import annotations

from datetime import datetime

from socialcare_tui.durations import DASH, human_duration

MINUS = "−"  # a real minus sign reads better than a hyphen next to digits


def duration(seconds: float | None) -> str:
    """45s, 14m, 2h 05m, 3d 04h (floored, as the CLI's); negative durations keep their sign."""
    return human_duration(seconds, minus=MINUS)


def ratio(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value * 100:.1f}%"


def count(value: float | None) -> str:
    if value is None:
        return DASH
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def signed(value: float | None, digits: int = 0) -> str:
    """+32, −5, 0 (NPS); +0.21 with digits=2 (sentiment)."""
    if value is None:
        return DASH
    text = f"{abs(value):,.{digits}f}"
    if round(value, digits) == 0:
        return text
    return ("+" if value > 0 else MINUS) + text


def hour(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{int(value):02d}:00"


def money(value: float | None) -> str:
    if value is None:
        return DASH
    whole = abs(value) >= 1000 or float(value).is_integer()
    return f"{value:,.0f}" if whole else f"{value:,.2f}"


# KPIs of unit "number" shown with decimals (sentiment is in [-1, 1]; NPS is whole).
NUMBER_DIGITS = {"sentiment": 2}


def value(number: float | None, unit: str | None, kpi_id: str | None = None) -> str:
    """A KPI value in its unit (units of ARCHITECTURE.md's KPI contract)."""
    if number is None:
        return DASH
    if unit == "seconds":
        return duration(number)
    if unit == "ratio":
        return ratio(number)
    if unit == "count":
        return count(number)
    if unit == "hour":
        return hour(number)
    if unit == "money":
        return money(number)
    # "number": NPS in [-100, 100] or sentiment in [-1, 1]
    if kpi_id is not None:
        digits = NUMBER_DIGITS.get(kpi_id, 0)
    else:
        digits = 0 if abs(number) > 1 else 2
    return signed(number, digits)


def delta(current: float | None, previous: float | None, unit: str | None, better: str | None):
    """(arrow, text, verdict) for the change from `previous` to `current`.

    verdict is "better", "worse", "same" or None (no comparison, or a KPI with no
    good direction). The arrow and the verdict word carry the meaning without colour.
    """
    if current is None or previous is None:
        return "", "", None
    diff = current - previous
    if unit == "hour":  # the peak hour moved; there is no better or worse
        diff_text = f"{MINUS if diff < 0 else '+'}{abs(int(diff))}h" if diff else "0h"
        return ("▲" if diff > 0 else "▼" if diff < 0 else "="), diff_text, None
    magnitude = _delta_magnitude(abs(diff), unit)
    if _is_zero(diff, unit):
        return "=", "0", "same"
    arrow = "▲" if diff > 0 else "▼"
    text = ("+" if diff > 0 else MINUS) + magnitude
    if better not in ("higher", "lower"):
        return arrow, text, None
    good = (diff > 0) == (better == "higher")
    return arrow, text, "better" if good else "worse"


def _is_zero(diff: float, unit: str | None) -> bool:
    if unit == "ratio":
        return abs(diff) < 0.0005
    if unit == "seconds":
        return abs(diff) < 0.5
    if unit == "number":
        return abs(diff) < 0.005
    return diff == 0


def _delta_magnitude(diff: float, unit: str | None) -> str:
    if unit == "seconds":
        return duration(diff)
    if unit == "ratio":
        return f"{diff * 100:.1f}pp"
    if unit == "money":
        return money(diff)
    if unit == "number":
        return f"{diff:.0f}" if diff >= 1 else f"{diff:.2f}"
    return count(diff)


def target_state(number: float | None, target: float | None, better: str | None) -> str | None:
    """"met", "at-risk" (within 10% of the target) or "missed"; None without a target."""
    if number is None or target is None or better not in ("higher", "lower"):
        return None
    if better == "higher":
        if number >= target:
            return "met"
        return "at-risk" if number >= target * 0.9 else "missed"
    if number <= target:
        return "met"
    return "at-risk" if number <= target * 1.1 else "missed"


TARGET_SYMBOL = {"met": "✓", "at-risk": "!", "missed": "✗", None: ""}


def sla_state(seconds: float | None, target: float | None = None) -> str | None:
    """"breached", "near" (under a quarter of the target or 15 minutes left) or "ok"."""
    if seconds is None:
        return None
    if seconds < 0:
        return "breached"
    near = max(900.0, (target or 0) * 0.25)
    return "near" if seconds <= near else "ok"


def timestamp(moment: datetime | None, *, with_date: bool = True) -> str:
    if moment is None:
        return DASH
    return moment.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")
