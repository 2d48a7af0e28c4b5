"""Columns that suit each Queues tab (issue 14, item 5): channel, age, priority and
ticket id where the data has them, resolved time, time taken and CSAT on Resolved; in
`browse.queue_rows`, on the Queues screen and in the `queue` command's table.

The fixture is the app tests' events (tui_helpers: tweets and e-mails, no tickets) plus
three tickets of a Zendesk-like export, read as of 2024-03-08 12:00 with a 7d window:

    501 opened 03-07 08:00, Urgent, Ana, resolved 03-07 20:00 (12h), CSAT 2 (of 5)
    502 opened 03-08 09:00, High, nobody assigned, open   -> age 3h
    503 opened 03-08 06:00, Low, nobody assigned, open    -> age 6h
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.widgets import DataTable, Static
from tui_helpers import AS_OF, build_db, make_app, settle

from socialcare_tui import output
from socialcare_tui.config import KpiConfig
from socialcare_tui.kpi import browse, engine
from socialcare_tui.output import QUEUE_TABLE_COLUMNS as TABLE_COLUMNS
from socialcare_tui.output import queue_table_columns as table_columns
from socialcare_tui.store import open_db
from socialcare_tui.tui.screens.queues import COLUMNS, TAB_COLUMNS, tab_columns

TICKETS = """\
Ticket ID,Created,Channel,Group,Status,Assignee,Priority,First Response Time (minutes),Resolved,Customer Satisfaction Rating
501,2024-03-07 08:00:00,Email,Billing,Closed,Ana,Urgent,30,2024-03-07 20:00:00,2
502,2024-03-08 09:00:00,Email,Billing,Open,,High,,,
503,2024-03-08 06:00:00,Email,Billing,Open,,Low,,,
"""
SCOPE = engine.Scope(as_of=AS_OF, window=timedelta(days=7))


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    from socialcare_tui.ingest.pipeline import import_paths

    folder = tmp_path_factory.mktemp("queue-columns")
    path = build_db(folder)
    (folder / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    con = open_db(path)
    try:
        import_paths(con, [folder / "tickets.csv"])
    finally:
        con.close()
    return path


def by_key(rows: list[dict]) -> dict[str, dict]:
    return {row["conv_key"]: row for row in rows}


def test_queue_rows_carry_ticket_priority_age_and_resolution(db):
    con, _ = db
    unassigned = by_key(browse.queue_rows(con.cursor(), SCOPE, KpiConfig(), "unassigned"))
    assert (unassigned["tickets:502"]["priority"], unassigned["tickets:502"]["ticket_id"]) == ("High", "502")
    assert unassigned["tickets:502"]["age_seconds"] == 3 * 3600  # 09:00 -> 12:00
    assert unassigned["tickets:503"]["age_seconds"] == 6 * 3600
    # a conversation of the events log has neither priority nor ticket id
    assert (unassigned["events:A2"]["priority"], unassigned["events:A2"]["ticket_id"]) == (None, None)
    assert unassigned["events:A2"]["age_seconds"] == 2 * 3600  # opened 10:00
    resolved = by_key(browse.queue_rows(con.cursor(), SCOPE, KpiConfig(), "resolved"))
    ticket = resolved["tickets:501"]
    assert ticket["resolved_at"] == datetime(2024, 3, 7, 20, 0)
    assert ticket["resolved_in_seconds"] == 12 * 3600
    assert (ticket["csat_score"], ticket["csat_scale"], ticket["priority"]) == (2, 5, "Urgent")
    assert resolved["events:A1"]["csat_score"] == 5  # the events log's own survey answer
    assert resolved["events:A1"]["resolved_in_seconds"] == 3600  # 09:00 -> 10:00
    for row in unassigned.values():  # only resolved ones have a resolution time
        assert row["resolved_at"] is None


def test_columns_follow_the_tab_the_data_and_the_width():
    tweets = [{"conv_key": "t:1", "priority": None, "ticket_id": None, "csat_score": None}]
    tickets = [*tweets, {"conv_key": "k:1", "priority": "High", "ticket_id": "1", "csat_score": 4}]

    def keys(status, rows, width):
        return [col.key for col in tab_columns(status, rows, width)]

    assert keys("unassigned", tweets, 170) == ["customer", "channel", "queue", "age", "wait", "sla", "last"]
    assert keys("unassigned", tickets, 170) == [
        "customer", "channel", "queue", "priority", "ticket", "age", "wait", "sla", "last"]
    assert keys("open", tweets, 170)[3] == "assignee"  # nobody is assigned on Unassigned
    assert keys("resolved", tickets, 170) == [
        "customer", "channel", "queue", "assignee", "priority", "ticket", "resolved", "took", "csat", "last"]
    assert "csat" not in keys("resolved", tweets, 170)
    # under 100 cells: channel, ticket id, age and the resolution time are left out
    assert keys("unassigned", tickets, 80) == ["customer", "queue", "priority", "wait", "sla", "last"]
    # every width from 60 to 220 cells: the message preview keeps at least 20 cells when
    # dropping columns can give it that, and the kept columns and it fit the width
    for status in TAB_COLUMNS:
        for width in range(60, 221):
            shown = tab_columns(status, tickets, width)
            narrow = width < 100
            fixed = sum((c.narrow if narrow else c.width) or 0 for c in shown if c.key != "last")
            assert shown[-1].key == "last" and shown[0].key == "customer"
            if width >= 80:
                assert width - fixed - 2 * len(shown) - 2 >= 20, (status, width, [c.key for c in shown])
            assert all(c.key in COLUMNS for c in shown)


def test_cli_table_leaves_out_columns_without_data(db):
    con, _ = db
    rows = browse.queue_rows(con.cursor(), SCOPE, KpiConfig(), "resolved")
    tweets = [row for row in rows if not row["conv_key"].startswith("tickets:")]
    assert {"priority", "ticket_id", "resolved_at", "csat_score"} <= {c.key for c in table_columns(rows)}
    assert {c.key for c in table_columns(tweets)} == {c.key for c in TABLE_COLUMNS} - {"priority", "ticket_id"}
    wide = output.render_rows(rows, table_columns(rows), "table", width=1000)
    line = next(text for text in wide.splitlines() if "tickets:501" in text)
    assert "Urgent" in line and "12h 00m" in line and "2024-03-07 20:00" in line
    narrow = output.render_rows(rows, table_columns(rows), "table", width=80)
    assert max(len(text) for text in narrow.splitlines()) <= 80
    assert "Priority" not in narrow and "tickets:501" in narrow  # dropped before the ids


def cells(table: DataTable, key: str) -> list[str]:
    index = [str(c.key.value) for c in table.ordered_columns].index(key)
    return [str(table.get_row_at(row)[index]) for row in range(table.row_count)]


@pytest.mark.anyio
async def test_queues_screen_shows_the_tab_columns(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=(170, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        view = app.screen.view()
        table = view.query_one(DataTable)
        assert [str(c.label) for c in table.ordered_columns] == [
            "Customer", "Channel", "Queue", "Priority", "Ticket", "Age", "Waiting", "SLA left", "Last message"]
        rows = by_key(browse.queue_rows(con.cursor(), SCOPE, KpiConfig(), "unassigned"))
        keys = [str(k.value) for k in table.rows]
        assert sorted(keys) == sorted(rows)
        assert cells(table, "ticket")[keys.index("tickets:502")] == "502"
        assert cells(table, "age")[keys.index("tickets:503")] == "6h 00m"
        assert cells(table, "priority")[keys.index("events:A2")] == "—"
        await pilot.press("o", "o", "o", "o")  # Customer, Channel, Queue, Priority ▲: most urgent first
        await pilot.pause()
        assert str(table.columns["priority"].label) == "Priority ▲"
        assert cells(table, "priority")[:3] == ["High", "Low", "—"]
        await pilot.press("t", "t", "t")  # Resolved: the sort stays
        await settle(pilot)
        assert [str(c.label) for c in table.ordered_columns] == [
            "Customer", "Channel", "Queue", "Assignee", "Priority ▲", "Ticket", "Resolved", "Took", "CSAT",
            "Last message"]
        keys = [str(k.value) for k in table.rows]
        at = keys.index("tickets:501")
        assert [cells(table, k)[at] for k in ("resolved", "took", "csat")] == ["03-07 20:00", "12h 00m", "2/5"]
        table.move_cursor(row=at)
        await pilot.pause()
        detail = view.query_one("#queue-detail", Static).content.plain
        assert "ticket 501 · priority Urgent · resolved 2024-03-07 20:00 after 12h 00m · CSAT 2/5" in detail


@pytest.mark.anyio
async def test_narrow_queues_keep_the_core_columns_and_say_the_rest_below(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        view = app.screen.view()
        table = view.query_one(DataTable)
        assert [str(c.label) for c in table.ordered_columns] == [
            "Customer", "Queue", "Priority", "Waiting", "SLA left", "Last message"]
        keys = [str(k.value) for k in table.rows]
        table.move_cursor(row=keys.index("tickets:503"))
        await pilot.pause()
        detail = view.query_one("#queue-detail", Static).content.plain
        assert "ticket 503 · priority Low · opened 6h 00m ago" in detail


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_resolved_tab_snapshot(snap_compare, fixture_db, size):
    """Resolved with a ticket: resolved time, time taken, CSAT, priority and ticket id at
    200x60; the core columns at 80x24 (the detail line says the rest)."""
    con = open_db(fixture_db)
    try:
        async def run(pilot):
            await settle(pilot)
            for key in ("2", "t", "t", "t"):
                await pilot.press(key)
                await settle(pilot)

        assert snap_compare(make_app(con, fixture_db), terminal_size=size, run_before=run)
    finally:
        con.close()


@pytest.mark.anyio
async def test_long_lists_show_the_first_rows_and_say_how_many_more(db, monkeypatch, tmp_path):
    from socialcare_tui.tui import sorting
    from socialcare_tui.tui.screens.queues import QueuesView

    monkeypatch.setattr(sorting, "ROW_LIMIT", 2)
    con, path = db
    rows = browse.queue_rows(con.cursor(), SCOPE, KpiConfig(), "unassigned")
    assert len(rows) == 3  # A2, 502, 503
    app = make_app(con, path)
    async with app.run_test(size=(170, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        view = app.screen.view()
        assert isinstance(view, QueuesView)
        table = view.query_one(DataTable)
        keys = [str(k.value) for k in table.rows]
        assert keys == [rows[0]["conv_key"], rows[1]["conv_key"], sorting.MORE_KEY]
        assert str(table.get_row_at(2)[0]) == "… 1 more"
        table.move_cursor(row=2)
        await pilot.press("enter")  # the "more" line opens nothing
        await settle(pilot)
        assert app.screen.view() is view
        await pilot.press("o")  # Customer ▲ over all three, then the first two of them
        await pilot.pause()
        everyone = sorted(rows, key=lambda r: (r["customer"] is None, (r["customer"] or "").casefold()))
        assert [str(k.value) for k in table.rows][:2] == [r["conv_key"] for r in everyone[:2]]
        app.notify = lambda *a, **kw: None
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(tmp_path / "all.json")
        await pilot.press("enter")
        await pilot.pause()
        import json

        assert len(json.loads((tmp_path / "all.json").read_text())) == 3  # every row, not the two shown
