"""Never a number under the wrong label (issue 14, item 1): with a deliberately slow
data source whose every figure encodes the scope it was computed for, every frame the
app draws while the window, the filter or the wallboard's channel changes either shows
the figures of the scope its labels name, or says it is loading.

Figures: window hours x 1000 + the channel's number (all channels 0, email 1,
twitter 2), e.g. `168,001` is 7d on email. `all` counts as 999 hours.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import replace

import pytest
from rich.console import Console
from textual.widgets import Digits
from tui_helpers import make_app, settle

from socialcare_tui.config import Config, WallboardConfig
from socialcare_tui.kpi.results import Dashboard, Filters, KpiValue, Report, Series, Window
from socialcare_tui.store import open_db
from socialcare_tui.tui import format as fmt
from socialcare_tui.tui.app import SocialCareApp
from socialcare_tui.tui.data import DataSource
from socialcare_tui.tui.screens.wallboard import WallTile, digits_text
from socialcare_tui.tui.tiles import settings
from socialcare_tui.tui.widgets.header import StatusHeader
from socialcare_tui.tui.widgets.sidebar import Choice

pytestmark = pytest.mark.anyio

HOURS = {"24h": 24, "7d": 168, "30d": 720, "all": 999}
CHANNELS = {None: 0, "email": 1, "twitter": 2}
DELAY = 0.4


@pytest.fixture
def con(fixture_db):
    con = open_db(fixture_db)
    yield con
    con.close()


def code(scope) -> int:
    hours = round(scope.window.total_seconds() / 3600) if scope.window else 999
    channel = scope.channels[0] if scope.channels else None
    return hours * 1000 + CHANNELS[channel]


class SlowTaggedSource(DataSource):
    """Real newest event and channel tree; the KPI figures are slow and name their scope."""

    def dashboard(self, scope, kpi_ids=None):
        time.sleep(DELAY)
        value = code(scope)
        kpis = {kpi_id: KpiValue(kpi_id, kpi_id, "count", value) for kpi_id in kpi_ids or []}
        return Dashboard(tagged_report(kpis), None, Series(24))

    def wallboard(self, scope, kpi_ids):
        time.sleep(DELAY)
        value = code(scope)
        return tagged_report({kpi_id: KpiValue(kpi_id, kpi_id, "count", value, {"n": value, "max": value})
                              for kpi_id in kpi_ids})


def tagged_report(kpis: dict[str, KpiValue]) -> Report:
    """A report of the given figures (the screens read only its KPIs)."""
    return Report(None, Window(), Filters(), kpis)


class Recorder:
    """Called at every frame the app sends to the terminal."""

    def __init__(self, check) -> None:
        self.check = check
        self.frames = 0
        self.with_figures = 0
        self.wrong: list[str] = []

    def __call__(self, app) -> None:
        self.frames += 1
        figures, problem = self.check(app)
        self.with_figures += bool(figures)
        if problem:
            self.wrong.append(problem)


def recording_app(con, path, recorder, **kwargs):
    app = make_app(con, path, source=SlowTaggedSource(con, Config()), **kwargs)

    def display(screen, renderable, _display=app._display):
        if renderable is not None and not app._batch_count:
            recorder(app)
        _display(screen, renderable)

    app._display = display
    return app


def frame_text(app: SocialCareApp) -> str:
    console = Console(width=app.size.width, record=True, file=io.StringIO(), color_system=None)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def dashboard_check(app):
    """Every figure on screen must be the code of the window and filter the header names."""
    lines = frame_text(app).splitlines()
    header = lines[0]
    window = re.search(r"window (\S+)", header)
    if window is None:
        return 0, None
    name = {"all": "all"}.get(window.group(1), window.group(1))
    channel = next((c for c in CHANNELS if c and header.startswith(f" channel {c}")), None)
    expected = f"{HOURS[name] * 1000 + CHANNELS[channel]:,}"
    figures = [n for line in lines[1:] for n in re.findall(r"\b\d{2,3},\d{3}\b", line)]
    wrong = [f for f in figures if f != expected]
    problem = f"{header.strip()!r} over {wrong[:3]}" if wrong else None
    return len(figures), problem


async def test_no_dashboard_frame_shows_another_windows_or_filters_figures(con, fixture_db):
    recorder = Recorder(dashboard_check)
    app = recording_app(con, fixture_db, recorder)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "168,000" in frame_text(app)  # 7d, all channels
        await pilot.press("w")  # 30d: the 7d figures must not stay under "window 30d"
        await pilot.pause(DELAY / 2)
        await pilot.press("w")  # all, while 30d is still on its way
        await pilot.pause(DELAY * 2.5)
        await pilot.press("w")  # 24h
        await settle(pilot)
        assert "24,000" in frame_text(app)
        app.choose(Choice(channel="email"))
        await pilot.pause(DELAY / 3)
        app.choose(Choice(channel="twitter"))
        await settle(pilot)
        assert "24,002" in frame_text(app)
        await pilot.press("w")  # 7d on twitter
        await pilot.pause(DELAY / 2)
        text = frame_text(app)
        assert "loading twitter 7d…" in text and "24,002" not in text
        await settle(pilot)
        assert "168,002" in frame_text(app)
    assert recorder.frames > 10 and recorder.with_figures > 3
    assert recorder.wrong == []


def wallboard_check(app):
    screen = app.screen
    tiles = list(screen.query(WallTile))
    if not tiles:
        return 0, None
    channel = screen.channel
    header = screen.query_one(StatusHeader).render().plain
    label = f"channel {channel}" if channel else "all channels"
    if not header.startswith(label):
        return 0, f"header {header!r} does not name {label}"
    value = HOURS["7d"] * 1000 + CHANNELS[channel]
    shown = 0
    wrong = []
    for tile in tiles:
        spec = tile.tile
        expected = digits_text(fmt.value(value, spec.unit, spec.kpi_id if spec.part is None else None))
        got = tile.query_one(Digits).value
        shown += got == expected
        if got not in ("", expected):
            wrong.append(f"{spec.name} {got} (expected {expected})")
    return shown, (f"{label} over {wrong}" if wrong else None)


async def test_no_wallboard_frame_shows_another_channels_figures(con, fixture_db):
    recorder = Recorder(wallboard_check)
    wall = replace(settings(WallboardConfig()), cycle=3600.0)
    app = recording_app(con, fixture_db, recorder, wallboard=wall)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.channels == [None, "email", "twitter"]
        await pilot.press("n")  # email
        await pilot.pause(DELAY / 2)
        assert {t.query_one(Digits).value for t in app.screen.query(WallTile)} == {""}
        await pilot.press("n")  # twitter, before email's figures arrive
        await settle(pilot)
        assert app.screen.channel == "twitter"
        app.screen._cycle()  # what the cycle timer does: back to All
        await pilot.pause(DELAY / 2)
        await pilot.press("b")  # twitter again
        await settle(pilot)
    assert recorder.frames > 5 and recorder.with_figures > 2
    assert recorder.wrong == []
