"""Human units of the app (tui/format.py), the window state and untrusted text helpers."""

from __future__ import annotations

from datetime import datetime, timedelta

from socialcare_tui.tui import format as fmt
from socialcare_tui.tui.state import ViewState
from socialcare_tui.tui.text import plain


def test_durations_in_human_units():
    assert fmt.duration(45) == "45s"
    assert fmt.duration(14 * 60 + 59) == "14m"  # floored like the CLI
    assert fmt.duration(2 * 3600 + 5 * 60) == "2h 05m"
    assert fmt.duration(3 * 86400 + 4 * 3600 + 59) == "3d 04h"
    assert fmt.duration(-600) == "−10m"
    assert fmt.duration(None) == "—"


def test_values_by_unit():
    assert fmt.value(0.8716, "ratio") == "87.2%"
    assert fmt.value(32, "number") == "+32"  # NPS
    assert fmt.value(-5, "number") == "−5"
    assert fmt.value(0.214, "number", "sentiment") == "+0.21"  # sentiment keeps two decimals
    assert fmt.value(0.0, "number", "nps") == "0"
    assert fmt.value(809.0, "money") == "809" and fmt.value(12.5, "money") == "12.50"
    assert fmt.value(1234, "count") == "1,234"
    assert fmt.value(9, "hour") == "09:00"
    assert fmt.value(840.0, "seconds") == "14m"
    assert fmt.value(None, "ratio") == "—"


def test_delta_says_better_or_worse_in_words_not_only_colour():
    # FRT went from 10m to 14m: up, and up is bad for a lower-is-better KPI
    assert fmt.delta(840, 600, "seconds", "lower") == ("▲", "+4m", "worse")
    # reply rate 87.2% from 90.0%: down 2.8 points, bad for higher-is-better
    assert fmt.delta(0.872, 0.9, "ratio", "higher") == ("▼", "−2.8pp", "worse")
    assert fmt.delta(120, 100, "count", "none") == ("▲", "+20", None)
    assert fmt.delta(5, 5, "count", "higher") == ("=", "0", "same")
    assert fmt.delta(5, None, "count", "higher") == ("", "", None)


def test_target_state():
    assert fmt.target_state(0.95, 0.9, "higher") == "met"
    assert fmt.target_state(0.85, 0.9, "higher") == "at-risk"  # within 10% of 0.9 (>= 0.81)
    assert fmt.target_state(0.5, 0.9, "higher") == "missed"
    assert fmt.target_state(3000, 3600, "lower") == "met"
    assert fmt.target_state(3900, 3600, "lower") == "at-risk"  # <= 3960
    assert fmt.target_state(5000, 3600, "lower") == "missed"
    assert fmt.target_state(1, None, "lower") is None


def test_sla_state():
    assert fmt.sla_state(-1) == "breached"
    assert fmt.sla_state(600) == "near"  # under 15 minutes
    assert fmt.sla_state(3 * 3600) == "ok"


def test_window_cycles_and_steps():
    state = ViewState(window="7d", newest=datetime(2024, 3, 8, 12))
    assert state.step(-1) and state.as_of == datetime(2024, 3, 1, 12)
    assert state.step(-1) and state.as_of == datetime(2024, 2, 23, 12)
    assert state.step(1) and state.as_of == datetime(2024, 3, 1, 12)
    assert state.step(1) and state.as_of is None  # back at the newest data: follows it again
    assert not state.step(1)
    assert [state.cycle_window() for _ in range(4)] == ["30d", "all", "24h", "7d"]
    state.window = "all"
    assert not state.step(-1)  # the whole data has no earlier window
    assert state.scope().window is None
    state.window = "24h"
    assert state.scope().window == timedelta(hours=24)


def test_plain_text_is_cleaned_and_cut():
    text = plain("[bold]\x1b[2Jhi\r" + "x" * 100, limit=20)
    assert text.plain.startswith("[bold]\ufffdhi\ufffd")  # the CSI becomes one U+FFFD, \r another
    assert len(text.plain) == 20 and text.plain.endswith("…")
    assert text.spans == []  # no markup was parsed
