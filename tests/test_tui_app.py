"""The app driven with Pilot on the fixed database of tui_helpers (as-of 2024-03-08 12:00,
window 7d): navigation, channel and queue filters, conversations, pause, a slow
refresh, palette import and export, untrusted text, small terminals, keys, theme."""

from __future__ import annotations

import io
import json
import threading
import time

import pytest
from rich.console import Console
from rich.text import Text
from textual.widgets import DataTable, Label, Static
from tui_helpers import BOLD, CLICK, LINK, build_db, make_app, settle, write_events

from socialcare_tui.config import Config, TuiConfig
from socialcare_tui.store import open_db
from socialcare_tui.tui.app import MainScreen
from socialcare_tui.tui.data import DataSource
from socialcare_tui.tui.screens.conversation import ConversationScreen
from socialcare_tui.tui.screens.drill import DrillScreen
from socialcare_tui.tui.screens.first_run import FirstRunScreen
from socialcare_tui.tui.screens.help import HelpScreen
from socialcare_tui.tui.widgets.header import StatusHeader
from socialcare_tui.tui.widgets.sidebar import ChannelSidebar, Choice

SIZE = (80, 24)
pytestmark = pytest.mark.anyio


def panel_text(app, kpi_id: str) -> tuple[str, str]:
    panel = app.screen.query_one(f"#kpi-{kpi_id}")
    value, delta = panel.query(Label)
    return str(value.content), str(delta.content)


def screen_text(app) -> str:
    """What the terminal shows, as plain text."""
    console = Console(width=app.size.width, record=True, file=io.StringIO(), color_system=None)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def table_keys(table: DataTable) -> list[str]:
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


def cell(table: DataTable, row: int, column: str) -> str:
    """A cell by its column's key (the Queues columns depend on the tab and the width)."""
    return str(table.get_row_at(row)[[str(c.key.value) for c in table.ordered_columns].index(column)])


async def test_dashboard_values_and_deltas(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # FRT in the window: A1 14m, A4 4h (the bot's auto-reply does not count), A5 1h
        # -> median 1h; previous window: P1 30m -> +30m, worse for a lower-is-better KPI.
        assert panel_text(app, "first_response_time") == ("1h 00m", "▲ +30m worse")
        # customer messages in the window: A1, A2, A3, A4, A5 = 5; previous: P1 = 1
        assert panel_text(app, "inbound_volume") == ("5", "▲ +4")
        # AHT: the data has no handle-time columns -> no value, and the reason on focus
        value, delta = panel_text(app, "aht")
        assert value == "—" and "focus" in delta
        app.screen.query_one("#kpi-aht").focus()
        await pilot.pause()
        reason = panel_text(app, "aht")[1]
        assert reason != delta and "handle" in reason


async def test_navigation_between_views_and_help(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, view in (("2", "queues"), ("3", "agents"), ("4", "trends"), ("1", "dashboard")):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen.view().id == view
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).content)
        assert "First response time" in text and "Cycle the window" in text
        await pilot.press("escape")
        await pilot.press("3")
        await settle(pilot)
        agents = app.screen.query_one("#agent-table", DataTable)
        # human replies in the window: Ana 1 (A1), Bo 2 (A4, A5); AcmeBot is automated
        names = [str(agents.get_row_at(i)[0]) for i in range(agents.row_count)]
        assert "Ana" in names and "Bo" in names


async def test_channel_and_queue_filter(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(ChannelSidebar)
        sidebar.focus()
        sidebar.cursor_line = 0
        await pilot.press("down", "enter")  # line 1: email
        await settle(pilot)
        assert app.state.channels == ("email",) and app.state.queues == ()
        # email customer messages in the window: A3, A4, A5 = 3
        assert panel_text(app, "inbound_volume")[0] == "3"
        await pilot.press("down", "enter")  # line 2: email / Billing
        await settle(pilot)
        assert app.state.queues == ("Billing",)
        assert panel_text(app, "inbound_volume")[0] == "2"  # A3, A4
        await pilot.press("home", "enter")  # All clears the filter
        await settle(pilot)
        assert app.state.channels == () and panel_text(app, "inbound_volume")[0] == "5"


async def test_queue_tabs_filter_and_open_conversation(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#queue-table", DataTable)
        # unassigned: A2 only (status open, nobody assigned)
        assert table_keys(table) == ["events:A2"]
        assert cell(table, 0, "wait") == "2h 00m"  # waiting 10:00 -> 12:00
        assert cell(table, 0, "sla") == "✗ −1h 00m"  # first reply was due 11:00
        await pilot.press("t")  # open (assigned): A3, first reply due 11:30 + 1h = 12:30
        await settle(pilot)
        assert table_keys(table) == ["events:A3"]
        assert cell(table, 0, "sla") == "30m"
        await pilot.press("t")  # pending (our reply was last): A4 then A5, by last message
        await settle(pilot)
        assert table_keys(table) == ["events:A4", "events:A5"]
        await pilot.press("slash", *"cust_e")
        await pilot.pause()
        assert table_keys(table) == ["events:A5"]
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationScreen) and app.screen.conv_key == "events:A5"
        transcript = app.screen.query_one("#transcript", Static).content
        assert "Thanks, all good now 🙂" in transcript.plain and "Glad to help!" in transcript.plain
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("escape", "t")  # clear the filter; resolved: A1 (03-07 10:00)
        await settle(pilot)
        assert table_keys(table) == ["events:A1"]


async def test_untrusted_text_is_shown_literally(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#queue-table", DataTable)
        customer = table.get_row_at(0)[0]
        assert isinstance(customer, Text) and customer.plain == CLICK and not customer.spans
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.query_one("#transcript", Static).content
        shown = text.plain
        for literal in (BOLD, LINK, CLICK, "🙂👍", "中文字符"):
            assert literal in shown
        for bad in ("\x1b", "\x07", "\r", "\u202e"):
            assert bad not in shown
        assert "w" * 5000 in shown  # the long word is kept and folded, not dropped
        facts = app.screen.query_one("#conv-facts", Static).content.plain
        assert "SLA first response ✗ breached" in facts  # due 11:00, no reply by 12:00
        assert "[bold red]x[/] [link=https://example.com]y[/link]" in screen_text(app)
        await pilot.click("#transcript")  # a click on the [@click] text must not quit the app
        assert app.is_running
        # the hostile queue name shows as typed in the sidebar
        await pilot.press("escape")
        sidebar = app.screen.query_one(ChannelSidebar)
        labels = [str(node.label) for node in sidebar.root.children[0].children]
        assert labels[1].startswith(BOLD[:10])


async def test_drill_down_and_open_conversation(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#kpi-first_response_time").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        table = app.screen.query_one("#drill-table", DataTable)
        # the sample behind FRT: A4, A1, A5 (ordered by moment: 03-06 12:00, 03-07 09:14, 16:00)
        keys = [k.split(":", 1)[1] for k in table_keys(table)]
        assert keys == ["events:A4", "events:A1", "events:A5"]
        assert str(table.get_row_at(0)[5]) == "4h 00m"
        await pilot.press("t")  # part "unanswered": A2 and A3, opened in the window, no reply yet
        await settle(pilot)
        assert sorted(k.split(":", 1)[1] for k in table_keys(table)) == ["events:A2", "events:A3"]
        await pilot.press("t", "t")  # "all rows", then back to "sample"
        await settle(pilot)
        assert len(table_keys(table)) == 3
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationScreen) and app.screen.conv_key == "events:A4"
        text = app.screen.query_one("#transcript", Static).content.plain
        assert "[automated]" in text and "status → pending" in text and "tag billing/" in text


async def test_window_keys_and_copy(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        # one week back: as-of 2024-03-01 12:00; only P1 is in that window
        assert str(app.state.as_of) == "2024-03-01 12:00:00"
        assert panel_text(app, "inbound_volume")[0] == "1"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert panel_text(app, "inbound_volume")[0] == "5"
        await pilot.press("w")  # 7d -> 30d
        await settle(pilot)
        assert app.state.window == "30d"
        assert panel_text(app, "inbound_volume")[0] == "6"  # P1 + the five of this week
        header = app.screen.query_one(StatusHeader).render().plain
        assert "window 30d" in header and "as of 2024-03-08 12:00" in header
        app.screen.query_one("#kpi-inbound_volume").focus()
        await pilot.press("c")
        # issue 14: the copied figure says what it is of
        assert app.clipboard == "Inbound volume: 6 (all channels, window 30d to 2024-03-08 12:00 UTC)"
        app.choose(Choice(channel="email"))
        await settle(pilot)
        await pilot.press("c")
        assert app.clipboard == "Inbound volume: 3 (email, window 30d to 2024-03-08 12:00 UTC)"  # A3-A5


async def test_pause_stops_the_refresh_timer(db):
    con, path = db
    app = make_app(con, path, refresh_seconds=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app._timer is not None  # re-armed when the first refresh finished
        await pilot.press("p")
        assert app.paused and app._timer is None
        assert "paused" in app.screen.query_one(StatusHeader).render().plain
        before = app.refresh_count
        await pilot.pause(1.2)
        assert app.refresh_count == before  # nothing refreshed while paused
        await pilot.press("p")
        await settle(pilot)
        assert not app.paused and app.refresh_count > before


class SlowSource(DataSource):
    """The dashboard query blocks until released: the app must still answer keys."""

    def __init__(self, con, config):
        super().__init__(con, config)
        self.release = threading.Event()

    def dashboard(self, scope, kpi_ids=None):
        self.release.wait(10)
        return super().dashboard(scope, kpi_ids)


async def test_keys_answered_while_a_slow_refresh_runs(db):
    con, path = db
    source = SlowSource(con, Config())
    app = make_app(con, path, source=source)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        started = time.monotonic()
        await pilot.press("p")
        await pilot.press("question_mark")
        await pilot.pause()
        assert time.monotonic() - started < 3  # far less than the 10 s the query is blocked
        assert app.paused and isinstance(app.screen, HelpScreen)
        assert any(w.is_running for w in app.workers)  # the slow query is still under way
        source.release.set()
        await pilot.press("escape")
        await settle(pilot)
        assert panel_text(app, "inbound_volume")[0] == "5"


async def test_first_run_then_palette_import_and_a_failed_import(tmp_path):
    path = tmp_path / "empty.duckdb"
    con = open_db(path)
    events = write_events(tmp_path / "events.jsonl")
    app = make_app(con, path)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, FirstRunScreen)
            text = app.screen.query_one("#first-run-text", Static).content.plain
            assert f"socialcare-tui import PATH --db {path}" in text
            await import_via_palette(app, pilot, str(tmp_path / "missing.csv"))
            messages = [n.message for n in app._notifications]
            assert any("failed" in m and "missing.csv" in m for m in messages)
            assert app.is_running and isinstance(app.screen, FirstRunScreen)
            await import_via_palette(app, pilot, str(events))
            messages = [n.message for n in app._notifications]
            # 18 rows written by tui_helpers: P1 3, A1 5, A2 1, A3 2, A4 5, A5 2
            assert any("18 rows read, 18 imported, 0 duplicates, 0 rejected" in m for m in messages)
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert panel_text(app, "inbound_volume")[0] == "5"
    finally:
        con.close()


async def run_command(app, pilot, title: str) -> None:
    """Open the palette, search `title`, and run it once it is the highlighted hit."""
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: app.screen.query_one(CommandList) is not None)
    await pilot.press(*title)

    def highlighted() -> bool:
        commands = app.screen.query_one(CommandList)
        option = commands.highlighted_option
        return option is not None and title in str(option.prompt)

    await wait_until(pilot, highlighted)
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.screen.query_one("#prompt-input") is not None)


async def import_via_palette(app, pilot, file: str) -> None:
    await run_command(app, pilot, "Import a file")
    app.screen.query_one("#prompt-input").value = file  # typing a long tmp path key by key is slow
    await pilot.press("enter")
    await settle(pilot)


async def test_palette_export_writes_the_report(db, tmp_path):
    con, path = db
    app = make_app(con, path)
    target = tmp_path / "report.json"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(app, pilot, "Export the current report")
        prompt = app.screen.query_one("#prompt-input")
        assert prompt.value == "socialcare-report-20240308-1200-7d.json"
        prompt.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
    report = json.loads(target.read_text())
    assert report["as_of"] == "2024-03-08T12:00:00Z"
    assert report["kpis"]["inbound_volume"]["value"] == 5


async def test_palette_export_needs_a_known_extension_and_names_the_filter(db, tmp_path, monkeypatch):
    con, path = db
    monkeypatch.chdir(tmp_path)
    app = make_app(con, path)
    told = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.notify = lambda message, **kw: told.append(message)
        app.choose(Choice(channel="email"))
        await settle(pilot)
        await run_command(app, pilot, "Export the current report")
        prompt = app.screen.query_one("#prompt-input")
        assert prompt.value == "socialcare-report-20240308-1200-7d-email.json"
        prompt.value = "report"  # no extension: nothing is written, and it says why
        await pilot.press("enter")
        await settle(pilot)
        assert told[-1] == "not exported: report needs one of the extensions .json, .csv, .md, .txt"
        await run_command(app, pilot, "Export the current report")
        app.screen.query_one("#prompt-input").value = "email.md"
        await pilot.press("enter")
        await settle(pilot)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["email.md"]
    assert told[-1] == f"exported the report (markdown) to {tmp_path / 'email.md'}"
    assert (tmp_path / "email.md").read_text().count("|") > 10


async def test_terminal_too_small(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=(59, 20)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-too-small")
        assert "terminal too small: 59x20, needs at least 60x16" in screen_text(app)
    app = make_app(con, path)
    async with app.run_test(size=(60, 16)) as pilot:
        await settle(pilot)
        assert not app.screen.has_class("-too-small")


async def test_keys_remapped_from_config_and_theme_remembered(db, tmp_path):
    con, path = db
    config_file = tmp_path / "config.toml"
    config_file.write_text('window = "7d"\n\n[sla]\nfirst_response = "1h"\n')
    config = Config(tui=TuiConfig(keys={"window": "x"}))
    app = make_app(con, path, config=config, config_path=config_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        assert app.state.window == "7d"  # w is no longer bound
        await pilot.press("x")
        assert app.state.window == "30d"
        await pilot.press("question_mark")
        await pilot.pause()
        assert "  x               Cycle the window: 24h, 7d, 30d, all  [keys] window" in str(
            app.screen.query_one("#help-text").content)
        app.theme = "nord"
        await pilot.pause()
    assert config_file.read_text() == 'window = "7d"\ntheme = "nord"\n\n[sla]\nfirst_response = "1h"\n'


async def test_read_only_viewer_opens_the_file_per_refresh(tmp_path):
    path = build_db(tmp_path)
    source = DataSource(None, Config(), db_path=path, read_only=True)
    app = make_app(None, path, source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert panel_text(app, "inbound_volume")[0] == "5"
        # between refreshes nothing holds the file: another process could open it read-write
        con = open_db(path)
        con.close()


def test_open_errors_are_one_line_before_the_app(tmp_path, capsys):
    from socialcare_tui.cli import main

    missing = tmp_path / "nope.duckdb"
    assert main(["open", "--db", str(missing), "--read-only"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such database" in err
    config = tmp_path / "config.toml"
    config.write_text('theme = "no-such-theme"\n')
    assert main(["open", "--db", str(missing), "--config", str(config)]) == 2
    assert "unknown theme 'no-such-theme'" in capsys.readouterr().err
    config.write_text('[keys]\nfly = "f"\n')
    assert main(["open", "--db", str(missing), "--config", str(config)]) == 2
    assert "config keys: unknown action 'fly'" in capsys.readouterr().err
    assert main(["open", "--db", str(missing), "--window", "soon"]) == 2
    assert main(["open", "--db", str(missing), "--watch", str(tmp_path), "--read-only"]) == 2
    assert "cannot be combined with --read-only" in capsys.readouterr().err
    assert main(["open", "--db", str(missing), "--watch", str(tmp_path / "no" / "such.csv")]) == 2
    assert "no such file or folder to watch" in capsys.readouterr().err
    assert not missing.exists()  # nothing was created by a failed start


async def test_watch_imports_what_is_appended_and_refreshes(tmp_path):
    from socialcare_tui.ingest.follow import Follower

    path = tmp_path / "live.duckdb"
    open_db(path).close()
    log = write_events(tmp_path / "events.jsonl")
    source = DataSource(None, Config(), db_path=path)
    follower = Follower([log], path)
    app = make_app(None, path, source=source, window="all", as_of=None, follower=follower)
    async with app.run_test(size=SIZE) as pilot:
        # the follower imports the 18 lines already there: 6 customer messages in all
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen)
                         and panel_text(app, "inbound_volume")[0] == "6")
        assert "● watching" in app.screen.query_one(StatusHeader).render().plain
        with log.open("a") as handle:
            handle.write(json.dumps({"event_id": "late1", "conversation_id": "L1", "channel": "sms",
                                     "at": "2024-03-08T11:59:00Z", "direction": "in", "text": "hi"}) + "\n")
        await wait_until(pilot, lambda: panel_text(app, "inbound_volume")[0] == "7")


async def wait_until(pilot, condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await pilot.pause(0.2)
        try:
            if condition():
                return
        except Exception:  # the screen is still being built
            pass
    assert condition()
