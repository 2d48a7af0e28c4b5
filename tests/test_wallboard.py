"""The wallboard (`open --wallboard`) on the fixed database of tui_helpers (as-of
2024-03-08 12:00, window 7d): its tiles in Digits, cycling through the channels, the
`[wallboard]` section, and one snapshot at 200x60."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Digits
from tui_helpers import make_app, settle

from socialcare_tui.config import WallboardConfig, from_dict
from socialcare_tui.errors import UserError
from socialcare_tui.store import open_db
from socialcare_tui.tui.screens.wallboard import WallboardScreen, WallTile, digits_text
from socialcare_tui.tui.tiles import DEFAULT_KPIS, settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def con(fixture_db):
    con = open_db(fixture_db)
    yield con
    con.close()


def wall_app(con, path, cycle=3600.0):
    """The wallboard with the default tiles; a long cycle so only `n` moves it in tests."""
    wall = replace(settings(WallboardConfig()), cycle=cycle)
    return make_app(con, path, wallboard=wall)


def tiles(app) -> dict[str, str]:
    return {t.tile.name: t.query_one(Digits).value for t in app.screen.query(WallTile)}


def test_settings_default_and_from_config():
    assert [t.name for t in settings(WallboardConfig()).tiles] == list(DEFAULT_KPIS)
    assert settings(WallboardConfig()).cycle == 10
    wall = settings(from_dict({"wallboard": {"kpis": ["csat", "reply_wait.max", "Backlog"], "cycle": 30}}).tui.wallboard)
    assert [(t.kpi_id, t.part) for t in wall.tiles] == [("csat", None), ("reply_wait", "max"), ("backlog", None)]
    assert wall.cycle == 30 and wall.kpi_ids == ["csat", "reply_wait", "backlog"]
    for bad in ({"kpis": ["nope"]}, {"kpis": "csat"}, {"cycle": 0.5}, {"cycle": "10"}):
        with pytest.raises(UserError, match="wallboard"):
            settings(from_dict({"wallboard": bad}).tui.wallboard)


def test_digits_text_uses_characters_digits_draws():
    assert digits_text("−0.25") == "-0.25"
    assert digits_text("1,234") == "1234"
    assert digits_text("—") == "-"


async def test_wallboard_shows_tiles_and_cycles_channels(con, fixture_db):
    app = wall_app(con, fixture_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WallboardScreen)
        shown = tiles(app)
        # waiting at 12:00: A2 (twitter, in 10:00, unanswered) and A3 (email, in 11:30) -> 2
        assert shown["waiting_now"] == "2"
        # longest: A2 since 10:00 -> 2h
        assert shown["longest_wait"] == "2h 00m"
        # FRT in the window: A1 14m, A4 4h, A5 1h -> median 1h
        assert shown["first_response_time"] == "1h 00m"
        # CSAT: A1's one answer 5/5 -> 100%
        assert shown["csat"] == "100.0%"
        assert app.screen.channels == [None, "email", "twitter"]
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.channel == "email"
        shown = tiles(app)
        # email: only A3 waits, since 11:30 -> 1 and 30m
        assert (shown["waiting_now"], shown["longest_wait"]) == ("1", "30m")
        # email FRT: A4 4h (the bot does not count), A5 1h -> median 2h 30m
        assert shown["first_response_time"] == "2h 30m"
        assert "channel email" in app.screen.query_one("StatusHeader").render().plain
        await pilot.press("b")
        await settle(pilot)
        assert app.screen.channel is None and tiles(app)["waiting_now"] == "2"


async def test_wallboard_cycles_on_its_timer_and_pause_holds_it(con, fixture_db):
    # the test calls what the timer calls; a real 2 s timer could also fire under load and
    # cancel the refresh `settle` waits for
    app = wall_app(con, fixture_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.channel is None
        app.screen._cycle()  # what the timer calls every `cycle` seconds
        await settle(pilot)
        assert app.screen.channel == "email"
        await pilot.press("p")
        app.screen._cycle()
        await settle(pilot)
        assert app.screen.channel == "email"  # paused: the wall stays on its channel


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_wallboard_snapshot(snap_compare, fixture_db, size):
    """80x24: Digits' own 3 rows; 200x60: the digits grown to fit the tiles, every tile at
    the same scale; a trend arrow under each tile (the previous 7 days)."""
    con = open_db(fixture_db)
    try:
        async def run(pilot):
            await settle(pilot)

        assert snap_compare(wall_app(con, fixture_db), terminal_size=size, run_before=run)
    finally:
        con.close()


def test_big_digits_font_and_scale():
    from socialcare_tui.tui.widgets.bigdigits import FONT, best_scale, pixel_width, render_big, rows_for

    # one: .#. / ##. / .#. / .#. / ### ; at scale 2 every pixel is 2 cells across and 2 pixel
    # rows high, two pixel rows per cell: 5 cells high
    assert render_big("1", 2) == ["  ██  ", "████  ", "  ██  ", "  ██  ", "██████"]
    # minus: its middle pixel row (row 3 of 5) at scale 3 is pixel rows 6-8 of 15 (16 with
    # the blank one added), two pixel rows a cell: all of cell 3, the top half of cell 4
    assert render_big("-", 3) == [" " * 9] * 3 + ["█" * 9, "▀" * 9] + [" " * 9] * 3
    assert pixel_width("23h 59m") == 3 + 3 + 3 + 2 + 3 + 3 + 5 + 6  # glyphs and one pixel between
    assert rows_for(1) == 3 and rows_for(2) == 5 and rows_for(3) == 8
    assert best_scale("80", 14, 5) == 2 and best_scale("80", 13, 5) == 1  # 7 pixels x 2
    assert best_scale("80", 100, 4) == 1  # scale 2 needs 5 rows
    assert best_scale("80", 100, 100) == 8  # the largest scale drawn
    assert best_scale("1/2", 100, 100) == 1  # a character the font lacks: Digits draws it
    for text in ("0123456789", "87.2%", "+0.21", "3d 04h", "45s", "-", "12:30"):
        lines = render_big(text, 3)
        assert len(lines) == rows_for(3) and {len(line) for line in lines} == {pixel_width(text) * 3}
    assert all(len(set(map(len, rows))) == 1 and len(rows) == 5 for rows in FONT.values())


async def test_wallboard_digits_grow_with_the_tiles_and_show_trends(con, fixture_db):
    """The previous 7 days (02-23 12:00 to 03-01 12:00, seen as of 03-01 12:00): P1 answered
    in 30m within its 1h target and resolved; nobody waiting. Now: A2 and A3 wait
    (2), backlog 4, FRT 1h 00m, SLA first response 50%; no CSAT answer before."""
    from socialcare_tui.tui.widgets.bigdigits import BigDigits

    app = wall_app(con, fixture_db)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        scales = {t.tile.name: t.query_one(BigDigits).scale for t in app.screen.query(WallTile)}
        assert len(set(scales.values())) == 1 and scales["csat"] > 1  # grown, every tile alike
        trends = {t.tile.name: str(t.query_one(".wall-trend").content) for t in app.screen.query(WallTile)}
        assert trends == {"waiting_now": "▲ +2 worse", "longest_wait": "", "first_response_time": "▲ +30m worse",
                          "sla_first_response": "▼ −50.0pp worse", "csat": "", "backlog": "▲ +4 worse"}
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert {t.query_one(BigDigits).scale for t in app.screen.query(WallTile)} == {1}  # Digits' 3 rows


async def test_no_trend_when_the_previous_window_holds_no_data(con, fixture_db):
    app = make_app(con, fixture_db, wallboard=replace(settings(WallboardConfig()), cycle=3600.0), window="30d")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # 30 days back from 03-08 is 02-07, before the first event (02-28): nothing to compare with
        assert {str(t.query_one(".wall-trend").content) for t in app.screen.query(WallTile)} == {""}
        assert tiles(app)["backlog"] == "4"
