"""CSAT follow-up (issue 14, item 5): the dissatisfied survey answers with their comment,
customer and conversation, as `browse.csat_followup_rows` and the palette's list.

The app tests' events (tui_helpers, as of 2024-03-08 12:00, window 7d) plus surveys:

    A3 (cust_c, email/Billing, assigned to Bo)  1/5 "Nobody answered me"   -> listed
    A5 (cust_e)                                 2/5, then 5/5 an hour later -> not (latest counts)
    no conversation, phone                      3/5 "slow"                  -> listed (60% of 5)
    no conversation, phone                      4/5                          -> not
    A1 keeps its 5/5 of the events file                                      -> not
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

import kpi_helpers
import pytest
from textual.widgets import DataTable, Static
from tui_helpers import AS_OF, BOLD, build_db, make_app, settle

from socialcare_tui.config import KpiConfig
from socialcare_tui.kpi import browse, engine
from socialcare_tui.store import open_db

SURVEYS = f"""\
conversation_id,at,channel,kind,score,scale_max,comment
A3,2024-03-08T11:50:00Z,email,csat,1,5,Nobody answered me {BOLD}
A5,2024-03-07T17:00:00Z,email,csat,2,5,meh
A5,2024-03-07T18:00:00Z,email,csat,5,5,great after all
,2024-03-08T08:00:00Z,phone,csat,3,5,slow
,2024-03-08T09:00:00Z,phone,csat,4,5,fine
"""
SCOPE = engine.Scope(as_of=AS_OF, window=timedelta(days=7))


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    from socialcare_tui.ingest.pipeline import import_paths

    folder = tmp_path_factory.mktemp("followup")
    path = build_db(folder)
    (folder / "surveys.csv").write_text(SURVEYS, encoding="utf-8")
    con = open_db(path)
    try:
        import_paths(con, [folder / "surveys.csv"])
    finally:
        con.close()
    return path


def test_rows_are_the_kpis_dissatisfied_answers_with_comment_and_customer(db):
    con, _ = db
    rows = browse.csat_followup_rows(con.cursor(), SCOPE, KpiConfig())
    assert [(r["conv_key"], r["score"], r["comment"], r["customer"]) for r in rows] == [
        ("events:A3", 1, f"Nobody answered me {BOLD}", "cust_c"),
        (None, 3, "slow", None),
    ]
    assert rows[0]["answered_at"] == datetime(2024, 3, 8, 11, 50)
    assert (rows[0]["queue"], rows[0]["agent"], rows[0]["scale_max"]) == ("Billing", "Bo", 5)
    assert (rows[1]["channel"], rows[1]["queue"]) == ("phone", "phone")  # the importer fills the queue
    explained = kpi_helpers.explain(con.cursor(), SCOPE, KpiConfig(), "csat", "dissatisfied")["rows"]
    assert sorted(map(str, (r["conv_key"] for r in explained))) == sorted(map(str, (r["conv_key"] for r in rows)))
    assert {r["conv_key"]: r["agent"] for r in explained} == {r["conv_key"]: r["agent"] for r in rows}
    # a window that ends before the answers: none
    early = engine.Scope(as_of=datetime(2024, 3, 7, 12), window=timedelta(hours=12))
    assert browse.csat_followup_rows(con.cursor(), early, KpiConfig()) == []


def test_the_list_is_the_kpi_part_on_the_demo_data(tmp_path):
    """Several windows and filters of the demo: the same answers as the KPI's part."""
    from socialcare_tui.sample import build_demo_db

    con = open_db(build_demo_db(tmp_path / "demo.duckdb"))
    try:
        for window in (1, 7, 30):
            for channels in ((), ("email",), ("webchat",), ("phone",)):
                scope = engine.Scope(window=timedelta(days=window), channels=channels)
                rows = browse.csat_followup_rows(con.cursor(), scope, KpiConfig())
                part = kpi_helpers.explain(con.cursor(), scope, KpiConfig(), "csat", "dissatisfied")["rows"]
                value = kpi_helpers.report(con.cursor(), scope, KpiConfig(), kpis=["csat"])["kpis"]["csat"]
                assert len(rows) == len(part) == (value.get("dissatisfied") or 0), (window, channels)
                assert all(5 * r["score"] <= 3 * r["scale_max"] for r in rows)
                assert [r["answered_at"] for r in rows] == sorted((r["answered_at"] for r in rows), reverse=True)
    finally:
        con.close()


@pytest.mark.anyio
async def test_palette_list_shows_comment_customer_and_opens_the_conversation(db, tmp_path):
    from test_tui_periods import run_window_command

    from socialcare_tui.tui.screens.conversation import ConversationScreen
    from socialcare_tui.tui.screens.followup import FollowUpScreen

    con, path = db
    app = make_app(con, path)
    told: list[str] = []
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await run_window_command(app, pilot, "List: CSAT follow-up")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpScreen)
        app.notify = lambda message, **kw: told.append(message)
        table = app.screen.query_one(DataTable)
        assert [str(c.label) for c in table.ordered_columns] == [
            "Answered", "Score", "Customer", "Comment", "Conversation", "Queue", "Agent"]
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first == ["03-08 11:50", "1/5", "cust_c", f"Nobody answered me {BOLD}", "events:A3", "Billing", "Bo"]
        assert [str(cell) for cell in table.get_row_at(1)][:5] == ["03-08 08:00", "3/5", "—", "slow", "—"]
        title = app.screen.query_one("#followup-title", Static).content.plain
        assert title == "CSAT follow-up · 2 dissatisfied answers (≤ 60% of the scale), latest first"
        detail = app.screen.query_one("#followup-detail", Static).content.plain
        assert detail == f"cust_c · 1/5 · events:A3 · Billing · Bo · Nobody answered me {BOLD}"
        await pilot.press("e")
        await pilot.pause()
        prompt = app.screen.query_one("#prompt-input")
        assert prompt.value == "socialcare-csat-followup-20240308-1200-7d.csv"
        prompt.value = str(tmp_path / "followup.csv")
        await pilot.press("enter")
        await pilot.pause()
        exported = list(csv.DictReader((tmp_path / "followup.csv").open()))
        assert [(r["conv_key"], r["customer"], r["comment"]) for r in exported] == [
            ("events:A3", "cust_c", f"Nobody answered me {BOLD}"), ("", "", "slow")]
        await pilot.press("down", "enter")  # the answer with no conversation
        await pilot.pause()
        assert isinstance(app.screen, FollowUpScreen) and "no conversation" in told[-1]
        await pilot.press("up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationScreen) and app.screen.conv_key == "events:A3"


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_followup_snapshot(snap_compare, fixture_db, size):
    con = open_db(fixture_db)
    try:
        async def run(pilot):
            await settle(pilot)
            pilot.app.open_list("csat", "dissatisfied")
            await settle(pilot)

        assert snap_compare(make_app(con, fixture_db), terminal_size=size, run_before=run)
    finally:
        con.close()


@pytest.mark.anyio
async def test_a_long_follow_up_list_is_cut_with_a_line_saying_so(db, monkeypatch):
    from socialcare_tui.tui import sorting
    from socialcare_tui.tui.screens.followup import FollowUpScreen

    monkeypatch.setattr(sorting, "ROW_LIMIT", 1)
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.open_list("csat", "dissatisfied")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert [str(k.value) for k in table.rows] == ["0:events:A3", sorting.MORE_KEY]
        assert str(table.get_row_at(1)[0]) == "… 1 more"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpScreen)
        assert str(app.screen.query_one("#followup-detail", Static).content) == ""  # no answer on it
