"""The wallboard (`open --wallboard`) on the fixed database of tui_helpers (as-of
2024-03-08 12:00, window 7d): its tiles in Digits, cycling through the channels, the
`[wallboard]` section, and one snapshot at 200x60."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Digits
from tui_helpers import build_db, make_app, settle

from socialcare_tui.config import WallboardConfig, from_dict
from socialcare_tui.errors import UserError
from socialcare_tui.store import open_db
from socialcare_tui.tui.screens.wallboard import WallboardScreen, WallTile, digits_text
from socialcare_tui.tui.tiles import DEFAULT_KPIS, settings

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("wall"))


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
    app = wall_app(con, fixture_db, cycle=2.0)
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


def test_wallboard_snapshot(snap_compare, fixture_db):
    con = open_db(fixture_db)
    try:
        async def run(pilot):
            await settle(pilot)

        assert snap_compare(wall_app(con, fixture_db), terminal_size=(200, 60), run_before=run)
    finally:
        con.close()
