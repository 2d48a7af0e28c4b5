"""Lists a lead works from (issue 14, item 5): every Queues tab shows its count, and the
Queues and Agents tables sort by any column from the keyboard (`o` next column, `O`
reverse, ▲/▼ in the header).

Fixed database of tui_helpers, as-of 2024-03-08 12:00, window 7d: unassigned A2 (no
assignee); open A3 (Bo); pending A4; resolved A1 (in the window); A5 is open with
Bo's reply, assigned by reply (see test_browse); P1 was resolved before the window;
EXTRA adds three unassigned conversations.
"""

from __future__ import annotations

import kpi_helpers
import pytest
from textual.widgets import DataTable, Tab
from tui_helpers import AS_OF, build_db, make_app, settle, write_events

from socialcare_tui.config import KpiConfig
from socialcare_tui.kpi import browse, engine
from socialcare_tui.store import open_db
from socialcare_tui.tui import format as fmt

pytestmark = pytest.mark.anyio


EXTRA = [  # three more unassigned conversations, waiting since different times
    {"event_id": f"x{n}", "conversation_id": f"X{n}", "at": at, "type": "message", "channel": channel,
     "queue": queue, "direction": "in", "author": author, "text": text}
    for n, (at, channel, queue, author, text) in enumerate([
        ("2024-03-08T09:00:00Z", "email", "Billing", "zoe", "invoice twice"),
        ("2024-03-08T11:00:00Z", "twitter", "Care", "Adam", "where is it"),
        ("2024-03-07T20:00:00Z", "facebook", "Returns", "mia", "refund?"),
    ])
]


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    from socialcare_tui.ingest.pipeline import import_paths

    folder = tmp_path_factory.mktemp("lists")
    path = build_db(folder)
    con = open_db(path)
    try:
        import_paths(con, [write_events(folder / "extra.jsonl", EXTRA)])
    finally:
        con.close()
    return path


def tab_labels(app) -> list[str]:
    return [str(tab.label) for tab in app.screen.query(Tab) if (tab.id or "").startswith("tab-")]


def column(table: DataTable, index: int) -> list[str]:
    return [str(table.get_row_at(row)[index]) for row in range(table.row_count)]


async def test_every_queue_tab_shows_its_count(db):
    con, path = db
    scope = engine.Scope(as_of=AS_OF, window=__import__("datetime").timedelta(days=7))
    expected = {s: len(browse.queue_rows(con.cursor(), scope, KpiConfig(), s))
                for s in ("unassigned", "open", "pending", "resolved")}
    app = make_app(con, path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert tab_labels(app) == [f"{s.capitalize()} {n}" for s, n in expected.items()]
        assert sum(expected.values()) >= 4
        await pilot.press("t")  # another tab: the counts stay, its rows come
        await settle(pilot)
        assert tab_labels(app) == [f"{s.capitalize()} {n}" for s, n in expected.items()]
        assert app.screen.view().query_one(DataTable).row_count == expected["open"]


async def test_queue_table_sorts_by_any_column_from_the_keyboard(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # Unassigned: A2 and the three extra conversations
        await settle(pilot)
        table = app.screen.view().query_one(DataTable)
        # no assignee on Unassigned; no priority or ticket id in a database without tickets
        assert [str(c.label) for c in table.ordered_columns] == [
            "Customer", "Channel", "Queue", "Age", "Waiting", "SLA left", "Last message"]
        fetched = column(table, 0)
        assert len(fetched) == 4
        waits = column(table, 4)  # fetched: longest wait first (X2 since 20:00 the day before)
        await pilot.press("o")  # Customer ▲
        await pilot.pause()
        assert str(table.columns["customer"].label) == "Customer ▲"
        assert column(table, 0) == sorted(fetched, key=str.casefold)
        await pilot.press("O")  # Customer ▼
        await pilot.pause()
        assert str(table.columns["customer"].label) == "Customer ▼"
        assert column(table, 0) == sorted(fetched, key=str.casefold, reverse=True)
        await pilot.press("o", "o", "o", "o")  # Channel, Queue, Age, Waiting ▲: shortest wait first
        await pilot.pause()
        assert str(table.columns["wait"].label) == "Waiting ▲"
        assert column(table, 4) == list(reversed(waits))  # durations sorted as durations
        await pilot.press("o", "o")  # SLA left, Last message
        await pilot.pause()
        assert str(table.columns["last"].label) == "Last message ▲"
        assert str(table.columns["customer"].label) == "Customer"
        last = column(table, 6)
        assert last == sorted(last, key=str.casefold)


async def test_agents_table_sorts_numbers_as_numbers(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.view().query_one(DataTable)
        names = column(table, 0)
        assert {"Ana", "Bo"} <= set(names)
        await pilot.press("o")
        await pilot.pause()
        assert column(table, 0) == sorted(names, key=str.casefold)
        await pilot.press("o", "O")  # Replies, descending
        await pilot.pause()
        assert str(table.columns["replies"].label) == "Replies ▼"
        replies = [int(v.replace(",", "")) for v in column(table, 1)]
        assert replies == sorted(replies, reverse=True)


async def test_trends_scroll_with_the_keyboard_at_80x24(db):
    from socialcare_tui.tui.screens.trends import TrendsView

    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        trends = app.screen.query_one(TrendsView)
        assert trends.max_scroll_y > 0 and trends.scroll_y == 0
        await pilot.press("end")
        await pilot.pause(0.3)
        assert trends.scroll_y == trends.max_scroll_y
        await pilot.press("home")
        await pilot.pause(0.3)
        assert trends.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause(0.3)
        assert trends.scroll_y > 0
        before = trends.scroll_y
        await pilot.press("down")
        await pilot.pause(0.3)
        assert trends.scroll_y > before


@pytest.mark.parametrize("highest", [0, 0.4, 1, 2, 3, 7, 10, 99, 101, 4602])
def test_count_ticks_are_whole_numbers_covering_the_highest(highest):
    from socialcare_tui.tui.screens.trends import count_ticks

    ticks, labels = count_ticks(highest)
    assert ticks[0] == 0 and ticks[-1] >= highest and all(isinstance(t, int) for t in ticks)
    assert len(ticks) <= 6 and len(set(ticks)) == len(ticks)
    assert labels == [f"{t:,}" for t in ticks]


async def test_work_lists_from_the_palette(db):
    """`List: SLA breaches, first response` opens the breached conversations of the scope."""
    from test_tui_periods import run_window_command

    from socialcare_tui.tui.screens.drill import DrillScreen

    con, path = db
    scope = engine.Scope(as_of=AS_OF, window=__import__("datetime").timedelta(days=7))
    breached = kpi_helpers.explain(con.cursor(), scope, KpiConfig(), "sla_first_response", "breached")["rows"]
    app = make_app(con, path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await run_window_command(app, pilot, "List: SLA breaches, first response")
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        assert (app.screen.info.id, app.screen.part) == ("sla_first_response", "breached")
        table = app.screen.query_one(DataTable)
        assert len(breached) >= 2  # A2 (unanswered since 10:00) and A4 (4h) at least
        assert sorted(str(k.value).split(":", 1)[1] for k in table.rows) == sorted(r["conv_key"] for r in breached)
        # a share KPI whose rows measure seconds (time to the first reply) shows them as durations, as `explain` does
        measures = {str(table.get_row_at(i)[5]) for i in range(table.row_count)}
        assert measures == {fmt.duration(r["measure"]) if r["measure"] is not None else fmt.DASH for r in breached}
        await pilot.press("escape")
        await run_window_command(app, pilot, "List: CSAT follow-up")
        await settle(pilot)
        from socialcare_tui.tui.screens.followup import FollowUpScreen

        assert isinstance(app.screen, FollowUpScreen)  # its own screen: comment and customer
        assert app.screen.query_one(DataTable).row_count == 0  # A1's only answer is 5/5


async def test_enter_on_an_agent_lists_their_conversations(db):
    from dataclasses import replace

    from socialcare_tui.tui.screens.agent import AgentScreen
    from socialcare_tui.tui.screens.conversation import ConversationScreen

    con, path = db
    scope = engine.Scope(as_of=AS_OF, window=__import__("datetime").timedelta(days=7))
    expected = browse.queue_rows(con.cursor(), replace(scope, agents=("Bo",)), KpiConfig(), "all")
    # Bo: A3 assigned to Bo; A4 and A5 answered by Bo
    assert sorted(r["conv_key"] for r in expected) == ["events:A3", "events:A4", "events:A5"]
    app = make_app(con, path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.view().query_one(DataTable)
        table.move_cursor(row=column(table, 0).index("Bo"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AgentScreen) and app.screen.agent == "Bo"
        listed = app.screen.query_one(DataTable)
        assert [str(k.value).split(":", 1)[1] for k in listed.rows] == [r["conv_key"] for r in expected]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationScreen)
        assert app.screen.conv_key == expected[0]["conv_key"]
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.screen.view().id == "agents"


async def test_e_exports_the_list_as_shown(db, tmp_path):
    import csv
    import json

    from socialcare_tui.output import QUEUE_COLUMNS

    con, path = db
    app = make_app(con, path)
    told = []
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.notify = lambda message, **kw: told.append(message)
        await pilot.press("2", "o")  # Unassigned, sorted by customer
        await settle(pilot)
        table = app.screen.view().query_one(DataTable)
        shown_keys = [str(k.value) for k in table.rows]
        await pilot.press("e")
        await pilot.pause()
        prompt = app.screen.query_one("#prompt-input")
        assert prompt.value == "socialcare-queue-unassigned-20240308-1200-7d.csv"
        prompt.value = str(tmp_path / "unassigned.csv")
        await pilot.press("enter")
        await pilot.pause()
        rows = list(csv.DictReader((tmp_path / "unassigned.csv").open()))
        assert [r["conv_key"] for r in rows] == shown_keys  # the order on screen
        assert list(rows[0]) == [c.key for c in QUEUE_COLUMNS]
        assert told[-1] == f"exported 4 rows (csv) to {tmp_path / 'unassigned.csv'}"
        await pilot.press("escape")
        app.open_list("sla_first_response", "breached")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(tmp_path / "breached.json")
        await pilot.press("enter")
        await pilot.pause()
        breached = json.loads((tmp_path / "breached.json").read_text())
        assert breached and all(r["breached"] is True for r in breached)
        assert {r["conv_key"] for r in breached} >= {"events:A2", "events:A4"}


async def test_e_exports_the_agents_table_as_sorted(db, tmp_path):
    import csv

    from socialcare_tui.tui.screens.agents import EXPORT_COLUMNS

    con, path = db
    scope = engine.Scope(as_of=AS_OF, window=__import__("datetime").timedelta(days=7))
    expected = {r["agent"]: r for r in browse.agent_rows(con.cursor(), scope, KpiConfig())}
    app = make_app(con, path)
    told = []
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.notify = lambda message, **kw: told.append(message)
        await pilot.press("3", "O")  # Agents, by name descending
        await settle(pilot)
        shown = column(app.screen.view().query_one(DataTable), 0)
        assert shown == sorted(expected, key=str.casefold, reverse=True)
        await pilot.press("e")
        await pilot.pause()
        prompt = app.screen.query_one("#prompt-input")
        assert prompt.value == "socialcare-agents-20240308-1200-7d.csv"
        prompt.value = str(tmp_path / "agents.csv")
        await pilot.press("enter")
        await pilot.pause()
        rows = list(csv.DictReader((tmp_path / "agents.csv").open()))
        assert [r["agent"] for r in rows] == shown
        assert list(rows[0]) == [c.key for c in EXPORT_COLUMNS]
        for row in rows:  # every figure as the kpi layer gives it
            assert int(row["replies"]) == expected[row["agent"]]["replies"]
            assert int(row["open_now"]) == expected[row["agent"]]["open_now"]
        assert told[-1] == f"exported {len(shown)} rows (csv) to {tmp_path / 'agents.csv'}"
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(tmp_path / "agents.md")
        await pilot.press("enter")
        await pilot.pause()
        text = (tmp_path / "agents.md").read_text()
        assert "| Agent" in text and "Median FRT" in text and "frt_n" not in text
