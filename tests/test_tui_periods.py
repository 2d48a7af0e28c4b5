"""Calendar windows (issue 14, item 6): today, yesterday, this/last week and month in the
config timezone, and a from/to window typed in the palette, beside 24h/7d/30d.

Fixed database of tui_helpers, as-of 2024-03-08 12:00 UTC (a Friday).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import kpi_helpers
import pytest
from test_tui_app import panel_text, run_command, wait_until
from tui_helpers import AS_OF, make_app, settle

from socialcare_tui.config import KpiConfig
from socialcare_tui.errors import UserError
from socialcare_tui.kpi import engine
from socialcare_tui.tui.periods import PRESETS, custom, preset
from socialcare_tui.tui.widgets.header import StatusHeader

pytestmark = pytest.mark.anyio
NOW = datetime(2024, 3, 8, 12, 0)


@pytest.mark.parametrize("name, start, end", [
    ("today", "2024-03-08", "2024-03-09"),
    ("yesterday", "2024-03-07", "2024-03-08"),
    ("this week", "2024-03-04", "2024-03-11"),  # Monday first
    ("last week", "2024-02-26", "2024-03-04"),
    ("this month", "2024-03-01", "2024-04-01"),
    ("last month", "2024-02-01", "2024-03-01"),  # a leap year's February
])
def test_presets_in_utc(name, start, end):
    period = preset(name, NOW)
    assert (period.start, period.end) == (datetime.fromisoformat(start), datetime.fromisoformat(end))


def test_presets_follow_the_config_timezone_and_its_daylight_saving():
    # 2024-03-31 00:30 UTC is 01:30 in Paris, the day clocks go forward (02:00 -> 03:00)
    now = datetime(2024, 3, 31, 0, 30)
    today = preset("today", now, "Europe/Paris")
    assert (today.start, today.end) == (datetime(2024, 3, 30, 23, 0), datetime(2024, 3, 31, 22, 0))  # 23 hours
    # a late evening in New York is already tomorrow in UTC
    assert preset("today", datetime(2024, 1, 1, 3, 0), "America/New_York").start == datetime(2023, 12, 31, 5, 0)
    january = preset("last month", datetime(2024, 1, 15), "UTC")
    assert (january.start, january.end) == (datetime(2023, 12, 1), datetime(2024, 1, 1))


@pytest.mark.parametrize("day", range(0, 400, 7))
def test_every_preset_holds_its_now_or_ends_before_it(day):
    now = datetime(2023, 1, 1, 13, 0) + timedelta(days=day, hours=day % 11)
    for name in PRESETS:
        period = preset(name, now, "Europe/Paris")
        assert period.start < period.end
        if name.startswith(("today", "this")):
            assert period.start <= now < period.end
        else:
            assert period.end <= now
    assert preset("last week", now, "Europe/Paris").end == preset("this week", now, "Europe/Paris").start
    assert preset("last month", now, "Europe/Paris").end == preset("this month", now, "Europe/Paris").start


def test_custom_period_needs_start_before_end():
    assert custom(datetime(2024, 3, 1), datetime(2024, 3, 8)).label == "2024-03-01 → 2024-03-08"
    with pytest.raises(UserError, match="is not before"):
        custom(datetime(2024, 3, 8), datetime(2024, 3, 1))


async def run_window_command(app, pilot, title: str) -> None:
    """The palette command `title`, which asks nothing (run_command waits for a prompt)."""
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: app.screen.query_one(CommandList) is not None)
    await pilot.press(*title)

    def highlighted() -> bool:
        option = app.screen.query_one(CommandList).highlighted_option
        return option is not None and title in str(option.prompt)

    await wait_until(pilot, highlighted)
    await pilot.press("enter")


def header(app) -> str:
    return app.screen.query_one(StatusHeader).render().plain


async def test_palette_calendar_window_and_back_to_rolling(db):
    con, path = db
    app = make_app(con, path, window="7d")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await run_window_command(app, pilot, "Window: yesterday")
        await settle(pilot)
        assert "window yesterday from 2024-03-07 00:00 │ as of 2024-03-07 23:59" in header(app)
        # yesterday (03-07): A1 at 09:00 and A5 at 15:00 -> 2 customer messages
        assert panel_text(app, "inbound_volume")[0] == "2"
        expected = kpi_helpers.report(con.cursor(), engine.Scope(as_of=datetime(2024, 3, 7, 23, 59, 59, 999999),
                                 start=datetime(2024, 3, 7), end=datetime(2024, 3, 8)), KpiConfig(),
                                 kpis=["inbound_volume"])
        assert expected["kpis"]["inbound_volume"]["value"] == 2
        # the previous day (03-06) holds A4's message: a change, not "no data"
        assert panel_text(app, "inbound_volume")[1] == "▲ +1"
        await pilot.press("left_square_bracket")  # a calendar window does not step
        await settle(pilot)
        assert app.state.period is not None and app.state.as_of == AS_OF
        await pilot.press("w")  # back to the rolling windows
        await settle(pilot)
        assert app.state.period is None and app.state.window == "24h"
        assert "window 24h" in header(app)


async def test_palette_from_to_window(db):
    con, path = db
    app = make_app(con, path, window="7d")
    told = []
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.notify = lambda message, **kw: told.append(message)
        await run_command(app, pilot, "Window: from … to …")
        app.screen.query_one("#prompt-input").value = "2024-03-08"
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = "2024-03-07"
        await pilot.press("enter")
        await settle(pilot)
        assert told[-1] == "window: 2024-03-08 00:00 is not before 2024-03-07 00:00"
        assert app.state.period is None
        await run_command(app, pilot, "Window: from … to …")
        app.screen.query_one("#prompt-input").value = "2024-02-28"
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = "2024-03-07T12:00"
        await pilot.press("enter")
        await settle(pilot)
        assert "window 2024-02-28 → 2024-03-07 12:00" in header(app)
        # P1 (02-28 09:00), A4 (03-06 08:00), A1 (03-07 09:00) -> 3
        assert panel_text(app, "inbound_volume")[0] == "3"
